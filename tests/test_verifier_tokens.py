"""Verifier tokens: created shown once and stored as a digest, rotated with grace, revoked;
audited without the token; managed in the admin, scoped to the operator's organizations."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps_registry import credentials, services
from apps_registry.models import AuditEvent, VerifierToken
from apps_registry.services.verifiers import (
    VERIFIER_EXPIRES_IN_PAST_MESSAGE,
    VERIFIER_REVOKE_TWICE_MESSAGE,
    VERIFIER_ROTATE_TWICE_MESSAGE,
)
from tests.factories import make_verifier
from tests.support_verify import call

ADD_URL = reverse("admin:apps_registry_verifiertoken_add")
LIST_URL = reverse("admin:apps_registry_verifiertoken_changelist")


def _table_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return json.dumps(cursor.fetchall(), default=str)


def test_create_stores_only_a_digest_and_audits_without_the_token(organization, actor):
    token, raw = services.verifier_token_create(organization=organization, name="Gw", actor=actor)
    assert raw.startswith(token.prefix + ".") and token.prefix.startswith("kpv_")
    assert token.token_digest == credentials.key_digest(raw)
    assert raw.split(".")[1] not in _table_text("apps_registry_verifiertoken")
    event = AuditEvent.objects.get(action="verifier_token_create")
    assert event.details["prefix"] == token.prefix and event.organization == organization
    assert raw.split(".")[1] not in _table_text("apps_registry_auditevent")


def test_expiry_must_be_in_the_future(organization, actor):
    with pytest.raises(services.VerifierStateError, match=VERIFIER_EXPIRES_IN_PAST_MESSAGE):
        services.verifier_token_create(
            organization=organization,
            name="Old",
            actor=actor,
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )
    assert not VerifierToken.objects.exists()


def test_rotation_keeps_the_old_token_for_the_grace_period(api_client, organization, actor, issued):
    old, old_raw = services.verifier_token_create(organization=organization, name="Gw", actor=actor)
    new, new_raw = services.verifier_token_rotate(verifier_token=old, actor=actor)
    old.refresh_from_db()
    assert old.replaced_by == new and old.status().value == "in_grace" and new.name == "Gw"
    assert call(api_client, old_raw, {"key": issued.raw_key}).json()["code"] == "VALID"
    after = timezone.now() + dt.timedelta(days=organization.rotation_grace_days, minutes=1)
    with time_machine.travel(after, tick=False):
        assert call(api_client, old_raw, {"key": issued.raw_key}).status_code == 401
        assert call(api_client, new_raw, {"key": issued.raw_key}).status_code == 200
    with pytest.raises(services.VerifierStateError, match=VERIFIER_ROTATE_TWICE_MESSAGE):
        services.verifier_token_rotate(verifier_token=old, actor=actor)
    rotate = AuditEvent.objects.get(action="verifier_token_rotate")
    assert rotate.details["new_prefix"] == new.prefix
    assert old_raw.split(".")[1] not in _table_text("apps_registry_auditevent")
    assert new_raw.split(".")[1] not in _table_text("apps_registry_auditevent")


def test_revocation_is_immediate_and_permanent(api_client, verifier, issued, actor):
    token, raw = verifier
    assert call(api_client, raw, {"key": issued.raw_key}).status_code == 200
    services.verifier_token_revoke(verifier_token=token, actor=actor)
    assert call(api_client, raw, {"key": issued.raw_key}).status_code == 401
    with pytest.raises(services.VerifierStateError, match=VERIFIER_REVOKE_TWICE_MESSAGE):
        services.verifier_token_revoke(verifier_token=token, actor=actor)
    assert AuditEvent.objects.filter(action="verifier_token_revoke").count() == 1


@pytest.fixture
def verifier_admin(operator_client):
    """An operator in the shipped Operator role: it manages verifier tokens."""
    return operator_client


def _shown(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="shown-([a-z-]+)">([^<]+)</code>', html))


def test_admin_creates_a_token_shown_once(verifier_admin, organization, api_client, issued):
    response = verifier_admin.post(
        ADD_URL, {"organization": organization.pk, "name": "Booking gateway"}, follow=True
    )
    shown = _shown(response.content.decode())
    token = VerifierToken.objects.get(name="Booking gateway")
    assert shown["token-prefix"] == token.prefix
    assert call(api_client, shown["verifier-token"], {"key": issued.raw_key}).status_code == 200
    again = verifier_admin.get(reverse("admin:apps_registry_verifiertoken_shown", args=[token.pk]))
    assert shown["verifier-token"] not in again.content.decode()
    assert "already shown once" in again.content.decode()
    listing = verifier_admin.get(LIST_URL).content.decode()
    assert token.prefix in listing and shown["verifier-token"] not in listing
    change = verifier_admin.get(
        reverse("admin:apps_registry_verifiertoken_change", args=[token.pk])
    ).content.decode()
    assert shown["verifier-token"] not in change and "Rotate" in change and "Revoke" in change


def test_admin_refuses_a_past_expiry(verifier_admin, organization):
    past = timezone.now() - dt.timedelta(days=1)
    response = verifier_admin.post(
        ADD_URL,
        {
            "organization": organization.pk,
            "name": "Late",
            "expires_at_0": f"{past:%Y-%m-%d}",
            "expires_at_1": "10:00:00",
        },
    )
    assert VERIFIER_EXPIRES_IN_PAST_MESSAGE in response.content.decode()
    assert not VerifierToken.objects.exists()


def test_admin_rotate_and_revoke_state_last_use(verifier_admin, verifier, api_client, issued):
    token, raw = verifier
    rotate = reverse("admin:apps_registry_verifiertoken_rotate", args=[token.pk])
    assert "Never used" in verifier_admin.get(rotate).content.decode()
    call(api_client, raw, {"key": issued.raw_key})
    page = verifier_admin.get(rotate).content.decode()
    assert "a deployment still depends on it" in page
    shown = _shown(verifier_admin.post(rotate, follow=True).content.decode())
    assert call(api_client, shown["verifier-token"], {"key": issued.raw_key}).status_code == 200
    new = VerifierToken.objects.get(prefix=shown["token-prefix"])
    revoke = reverse("admin:apps_registry_verifiertoken_revoke", args=[new.pk])
    assert "cannot be undone" in verifier_admin.get(revoke).content.decode()
    verifier_admin.post(revoke)
    assert call(api_client, shown["verifier-token"], {"key": issued.raw_key}).status_code == 401
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        "verifier_token_rotate",
        "verifier_token_revoke",
        "verifier_token_refused",
    ]


def test_other_organizations_tokens_are_404(verifier_admin, other_organization, actor):
    theirs, _ = make_verifier(other_organization, name="Theirs")
    for name in ("change", "rotate", "revoke", "shown"):
        url = reverse(f"admin:apps_registry_verifiertoken_{name}", args=[theirs.pk])
        assert verifier_admin.get(url).status_code == 404
    assert theirs.prefix not in verifier_admin.get(LIST_URL).content.decode()
