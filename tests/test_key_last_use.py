"""Last use in the admin: the key list and filter, the Rotate / Revoke confirmation pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps_registry.admin.last_use import NEVER_USED_TEXT, last_use_sentence
from apps_registry.models import ApiKey
from tests.support_verify import call, issue

KEYS_URL = reverse("admin:apps_registry_apikey_changelist")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (None, NEVER_USED_TEXT),
        (dt.timedelta(hours=2), "Used 2\xa0hours ago: a deployment still depends on it."),
        (dt.timedelta(days=45), "Last used 1\xa0month ago (2026-10-17); nothing has presented"),
    ],
)
def test_last_use_in_plain_words(ago, expected):
    assert last_use_sentence(None if ago is None else NOW - ago, NOW).startswith(expected)


def test_rotate_and_revoke_pages_say_when_the_key_was_last_used(
    operator_client, api_client, verifier, issued
):
    key = ApiKey.objects.get(pk=issued.key_id)
    args = [issued.application.pk, key.pk]
    rotate = reverse("admin:apps_registry_application_key_rotate", args=args)
    revoke = reverse("admin:apps_registry_application_key_revoke", args=args)
    assert "Never used" in operator_client.get(rotate).content.decode()
    call(api_client, verifier[1], {"key": issued.raw_key})
    for url in (rotate, revoke):
        page = operator_client.get(url).content.decode()
        assert "Used less than a minute ago: a deployment still depends on it." in page


def test_key_list_shows_last_use_and_filters_unused_keys(
    operator_client, api_client, verifier, issued, organization, other_organization, scopes, actor
):
    idle = issue(organization, scopes, actor, name="Idle kiosk")
    old = issue(organization, scopes, actor, name="Old kiosk")
    theirs = issue(other_organization, scopes, actor, name="Rival")
    call(api_client, verifier[1], {"key": issued.raw_key})
    ApiKey.objects.filter(pk=old.key_id).update(last_used_at=timezone.now() - dt.timedelta(days=40))
    prefix = {i.key_id: ApiKey.objects.get(pk=i.key_id).prefix for i in (issued, idle, old, theirs)}

    listing = operator_client.get(KEYS_URL).content.decode()
    assert prefix[theirs.key_id] not in listing
    assert f"{timezone.now():%Y-%m-%d}" in listing  # the used key's last use
    unused = operator_client.get(KEYS_URL, {"use": "unused30"}).content.decode()
    assert prefix[idle.key_id] in unused and prefix[old.key_id] in unused
    assert prefix[issued.key_id] not in unused
    for raw in (issued.raw_key, idle.raw_key):
        assert raw not in listing


def test_application_page_shows_last_use(operator_client, api_client, verifier, issued):
    url = reverse("admin:apps_registry_application_change", args=[issued.application.pk])
    assert "Never" in operator_client.get(url).content.decode()
    call(api_client, verifier[1], {"key": issued.raw_key})
    assert "less than a minute ago" in operator_client.get(url).content.decode()
