"""An audit trail people can read: each app's and site's History page shows Keyport's own rows
about it in plain words (keys, exports), the audit log names actions and links targets, and
details read as short rows instead of raw JSON."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from apps_registry import services
from apps_registry.audit_display import action_label, detail_rows, detail_summary
from apps_registry.models import AuditEvent
from apps_registry.roles import AUDITOR, OPERATOR
from apps_registry.services.export import credentials_export
from tests.factories import make_application, make_connection, make_key, make_user


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_apps_history_shows_its_keys_and_exports_in_plain_words(
    organization, scopes, actor
) -> None:
    application = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    other = make_application(organization, name="Front desk", scopes=scopes)
    key = make_key(application, actor=actor)
    services.api_key_rotate(api_key=key, actor=actor)
    make_key(other, actor=actor)
    credentials_export(actor=actor, selection={"app": [application]}, fmt="env")
    credentials_export(actor=actor, selection={"app": [other]}, fmt="env")

    operator = make_user("ophelia", role=OPERATOR, organizations=[organization])
    response = _client_for(operator).get(
        reverse("admin:apps_registry_application_history", args=[application.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    for words in ("Application registered", "Key generated", "Key rotated"):
        assert words in page
    assert page.count("Credentials exported") == 1
    assert "Glow Spa Booking (app)" in page
    assert key.prefix in page
    assert '{"' not in page and "Front desk" not in page
    assert "Audit events" not in page  # operators do not read the whole log


def test_a_sites_history_lists_its_rows(organization, actor) -> None:
    connection = make_connection(organization, name="Main studio", api_key="k" * 32, actor=actor)
    auditor = make_user("aude", role=AUDITOR, organizations=[organization])
    page = (
        _client_for(auditor)
        .get(reverse("admin:connections_mindbodysiteconnection_history", args=[connection.pk]))
        .content.decode()
    )
    assert "Mindbody site added" in page
    assert "Api key hint" in page and "k" * 32 not in page
    assert reverse("admin:apps_registry_auditevent_changelist") in page


def test_the_audit_log_names_actions_links_targets_and_reads_details(
    organization, scopes, actor
) -> None:
    application = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    auditor = make_user("aude", role=AUDITOR, organizations=[organization])
    client = _client_for(auditor)
    listing = client.get(reverse("admin:apps_registry_auditevent_changelist")).content.decode()
    assert "Application registered" in listing
    assert "?action=application_create" in listing  # the filter offers actions by name
    change_url = reverse("admin:apps_registry_application_change", args=[application.pk])
    assert f'href="{change_url}"' in listing
    event = AuditEvent.objects.get(action="application_create")
    detail = client.get(reverse("admin:apps_registry_auditevent_change", args=[event.pk]))
    assert 'class="keyport-details"' in detail.content.decode()


def test_action_names_and_details_read_as_words() -> None:
    assert action_label("api_key_rotate") == "Key rotated"
    assert action_label("mindbody_token_renew_failed") == "Staff token renewed: failed"
    assert (
        action_label("mindbody_site_archive") == "Mindbody site archive"
    )  # not named: still reads
    assert action_label("zenoti_key_check") == "Key checked with Zenoti"
    rows = detail_rows({"changed": ["name", "scopes"], "format": "env", "note": None})
    assert rows == [("Changed", "name, scopes"), ("Format", "env"), ("Note", "—")]
    items = {"items": [{"type": "app", "id": 1, "name": "Glow", "organization": "Spa"}]}
    assert detail_summary(items) == "Exported: Glow (app)"
    assert detail_rows({"expires_at": "2027-12-01T08:28:27.29+00:00"}) == [
        ("Expires at", "2027-12-01 08:28 UTC")
    ]
    assert len(detail_summary({"note": "x" * 500})) <= 90
