"""API keys across apps: one list of the user's keys with filters, bulk revocation behind one
confirmation, a CSV of what is shown, and dashboard numbers that lead to it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.admin.keys import REVOKED_MESSAGE
from apps_registry.models import ApiKey, AuditEvent
from tests.factories import make_application, make_key

LIST_URL = reverse("admin:apps_registry_apikey_changelist")
CSV_URL = reverse("admin:apps_registry_apikey_csv")


def _key(application, *, expires_in_days=None, last_used_days_ago=None):
    key = make_key(application)
    raw = key.key
    now = timezone.now()
    if expires_in_days is not None:
        key.expires_at = now + dt.timedelta(days=expires_in_days)
    if last_used_days_ago is not None:
        key.last_used_at = now - dt.timedelta(days=last_used_days_ago)
    key.save(update_fields=["expires_at", "last_used_at"])
    return key, raw


@pytest.fixture
def keys(organization, other_organization, scopes):
    booking = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    kiosk = make_application(organization, name="Lobby kiosk", scopes=scopes)
    fresh, fresh_raw = _key(booking, last_used_days_ago=1)
    soon, _ = _key(kiosk, expires_in_days=5)
    rotated, _ = _key(kiosk, expires_in_days=200, last_used_days_ago=45)
    replacement, _ = services.api_key_rotate(api_key=rotated, actor=Actor.system())
    theirs, _ = _key(make_application(other_organization, name="Rival app", scopes=scopes))
    return {
        "fresh": fresh,
        "fresh_raw": fresh_raw,
        "soon": soon,
        "rotated": rotated,
        "replacement": ApiKey.objects.get(pk=replacement.pk),
        "theirs": theirs,
    }


def _prefixes(client: Client, query: str = "") -> set[str]:
    rows = client.get(f"{CSV_URL}?{query}").content.decode()
    return {row["prefix"] for row in csv.DictReader(io.StringIO(rows))}


def test_the_list_shows_every_key_of_the_users_organizations_and_no_secret(
    operator_client, keys
) -> None:
    page = operator_client.get(LIST_URL).content.decode()
    for name in ("fresh", "soon", "rotated", "replacement"):
        assert keys[name].prefix in page
    assert keys["theirs"].prefix not in page and "Rival Gym" not in page
    assert keys["fresh_raw"] not in page
    assert "Glow Spa Booking" in page and "Issued by Keyport" in page
    assert ">365<" in page  # a new key's days left: its full lifetime


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=in_grace", {"rotated"}),
        ("status=expiring", {"soon"}),
        ("status=active", {"fresh", "replacement"}),
        ("expires=7", {"soon", "rotated"}),  # the rotated key lives 7 more days
        ("expires=90", {"soon", "rotated"}),
        ("use=unused30", {"soon", "rotated", "replacement"}),
        ("issuer=recorded", set()),
    ],
)
def test_filters_answer_the_operators_questions(operator_client, keys, query, expected) -> None:
    assert _prefixes(operator_client, query) == {keys[name].prefix for name in expected}


def test_search_by_prefix(operator_client, keys) -> None:
    assert _prefixes(operator_client, f"q={keys['soon'].prefix}") == {keys["soon"].prefix}


def test_the_csv_holds_the_shown_columns_and_no_key(operator_client, keys) -> None:
    response = operator_client.get(CSV_URL)
    assert response["Content-Disposition"] == 'attachment; filename="keyport-api-keys.csv"'
    text = response.content.decode()
    assert keys["fresh_raw"] not in text and "gAAAA" not in text
    rows = {row["prefix"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[keys["soon"].prefix]["days_left"] == "5"
    assert rows[keys["rotated"].prefix]["status"] == "In grace"


def test_bulk_revoke_asks_once_then_revokes_and_audits(operator_client, keys) -> None:
    chosen = [keys["soon"].pk, keys["fresh"].pk]
    form = {"action": "revoke_selected", "_selected_action": chosen}
    confirm = operator_client.post(LIST_URL, form)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Revoking is permanent" in page and keys["soon"].prefix in page
    assert ApiKey.objects.filter(pk__in=chosen, revoked_at__isnull=False).count() == 0

    done = operator_client.post(LIST_URL, {**form, "confirm": "yes"}, follow=True)
    assert REVOKED_MESSAGE.format(count=2) in done.content.decode()
    assert ApiKey.objects.filter(pk__in=chosen, revoked_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action="api_key_revoke").count() == 2


def test_another_organizations_key_cannot_be_revoked_in_bulk(operator_client, keys) -> None:
    form = {"action": "revoke_selected", "_selected_action": [keys["theirs"].pk], "confirm": "yes"}
    operator_client.post(LIST_URL, form)
    assert ApiKey.objects.get(pk=keys["theirs"].pk).revoked_at is None


def test_organization_filter_offers_only_the_users_organizations(operator_client, keys) -> None:
    page = operator_client.get(LIST_URL).content.decode()
    assert "Serenity Spa" in page and "Rival Gym" not in page


def test_dashboard_numbers_and_rows_lead_to_the_keys(operator_client, keys, organization) -> None:
    page = operator_client.get(reverse("admin:index")).content.decode()
    assert f"{LIST_URL}?organization={organization.pk}&amp;expires=30" in page
    rotate = reverse(
        "admin:apps_registry_application_key_rotate",
        args=[keys["soon"].application_id, keys["soon"].pk],
    )
    assert rotate in page
    expiring = operator_client.get(f"{LIST_URL}?organization={organization.pk}&expires=30")
    assert keys["soon"].prefix in expiring.content.decode()


def test_a_keys_page_leads_to_its_application(operator_client, keys) -> None:
    response = operator_client.get(
        reverse("admin:apps_registry_apikey_change", args=[keys["soon"].pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:apps_registry_application_change", args=[keys["soon"].application_id]
    )
