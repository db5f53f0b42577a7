"""Changing a Mindbody connection in the admin (connections.admin): rename it, replace its API
key (which sends it back to re-verification), delete several at once, and never show a key."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps_registry.models import AuditEvent
from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import VERIFIED_MESSAGE
from tests.factories import make_connection
from tests.support_mindbody import API_KEY, LIVE_SITE, OTHER_API_KEY
from tests.test_connections_secrets import every_stored_text

CHANGELIST = reverse("admin:connections_mindbodysiteconnection_changelist")
pytestmark = pytest.mark.django_db


def _change_url(connection: MindbodySiteConnection) -> str:
    return reverse("admin:connections_mindbodysiteconnection_change", args=[connection.pk])


def _updates(connection: MindbodySiteConnection) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="mindbody_connection_update", target_id=str(connection.pk)
        ).order_by("pk")
    )


def test_change_page_shows_the_name_and_a_blank_replacement_field_never_the_key(
    operator_client, issued_connection
) -> None:
    page = operator_client.get(_change_url(issued_connection)).content.decode()
    assert 'name="name"' in page and 'value="Sandbox"' in page
    assert 'name="replace_api_key"' in page and 'name="site_id"' not in page
    assert API_KEY not in page and issued_connection.staff_user_token not in page
    assert f"…{API_KEY[-4:]}" in page


def test_renaming_keeps_the_key_and_status_and_is_audited(
    operator_client, issued_connection
) -> None:
    status = issued_connection.status
    response = operator_client.post(
        _change_url(issued_connection), {"name": "Front desk sandbox", "replace_api_key": ""}
    )
    assert response.status_code == 302
    connection = MindbodySiteConnection.objects.get(pk=issued_connection.pk)
    assert connection.name == "Front desk sandbox"
    assert connection.api_key == API_KEY and connection.status == status
    [event] = _updates(connection)
    assert event.details["changed"] == ["name"]
    assert event.actor_label == "olivia"


def test_replacing_the_key_stores_it_encrypted_and_asks_for_verification(
    operator_client, issued_connection, fake_mindbody
) -> None:
    fake_mindbody.api_keys.add(OTHER_API_KEY)
    response = operator_client.post(
        _change_url(issued_connection),
        {"name": "Sandbox", "replace_api_key": OTHER_API_KEY},
        follow=True,
    )
    page = response.content.decode()
    assert OTHER_API_KEY not in page and API_KEY not in page
    connection = MindbodySiteConnection.objects.get(pk=issued_connection.pk)
    assert connection.api_key == OTHER_API_KEY
    # The new key is checked at once (with the token, which still works): active again.
    assert VERIFIED_MESSAGE.format(count=2) in page
    assert connection.status == ConnectionStatus.ACTIVE and connection.last_error == ""
    assert OTHER_API_KEY not in every_stored_text()
    [event] = _updates(connection)
    assert "api_key_replaced" in event.details["changed"]
    verify = reverse("admin:connections_mindbodysiteconnection_verify", args=[connection.pk])
    checked = operator_client.post(verify, follow=True).content.decode()
    assert VERIFIED_MESSAGE.format(count=2) in checked  # the fake sandbox has two locations
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE


def test_a_replacement_key_with_a_space_is_refused_and_nothing_changes(
    operator_client, issued_connection
) -> None:
    response = operator_client.post(
        _change_url(issued_connection), {"name": "Renamed", "replace_api_key": "two words"}
    )
    assert response.status_code == 200 and b"errornote" in response.content
    connection = MindbodySiteConnection.objects.get(pk=issued_connection.pk)
    assert connection.name == "Sandbox" and connection.api_key == API_KEY
    assert _updates(connection) == []


def test_deleting_several_from_the_list_audits_each(
    operator_client, organization, fake_mindbody
) -> None:
    first = make_connection(organization, name="Sandbox one", api_key=API_KEY)
    live = make_connection(organization, name="Studio", site_id=LIVE_SITE, api_key=API_KEY)
    listing = operator_client.get(CHANGELIST).content.decode()
    assert f">{LIVE_SITE}<" in listing  # a live site shows its plain ID, no sandbox badge
    response = operator_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [first.pk, live.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not MindbodySiteConnection.objects.exists()
    deleted = AuditEvent.objects.filter(action="mindbody_connection_delete")
    assert sorted(deleted.values_list("target_id", flat=True)) == sorted(
        [str(first.pk), str(live.pk)]
    )
