"""Expiry emails people act on: a subject with the app and the nearest expiry, lines with the
key's label, prefix and last four, the right action for its issuer, why the recipient gets it,
no admin links for contacts outside the organization, and a "Send test alert" button."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from apps_registry.alerts.digest import DigestLine
from apps_registry.alerts.manual import expiry_alerts_run
from apps_registry.alerts.message import (
    ROTATE_IN_ZENOTI,
    ROTATE_IN_ZENOTI_NO_LINK,
    ROTATE_NO_LINK,
    WHY_CONTACT,
    subject_for,
)
from apps_registry.alerts.sample import NO_RECIPIENTS_MESSAGE
from apps_registry.models import AuditEvent
from apps_registry.models.organizations import AppContacts
from apps_registry.roles import ORGANIZATION_ADMIN
from tests.factories import make_application, make_key, make_user, make_zenoti_application
from tests.support_zenoti import only_key, zenoti_key

NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def _line(app: str, days: int) -> DigestLine:
    return DigestLine(
        application_name=app,
        prefix="kp_AAAA0000",
        expires_at=NOW + dt.timedelta(days=days),
        days_left=days,
        expired=days <= 0,
        rotate_url="https://keyport.test/rotate",
        alert_ids=(1,),
    )


@pytest.mark.parametrize(
    ("lines", "subject"),
    [
        ([("Glow Spa Booking", 7)], "Glow Spa Booking: API key expires in 7 days"),
        ([("Glow Spa Booking", 1)], "Glow Spa Booking: API key expires in 1 day"),
        ([("Kiosk", -2)], "Kiosk: API key expired 2 days ago"),
        ([("A", 30), ("B", 7), ("C", 1)], "3 API keys expire within 30 days"),
        ([("A", 5), ("B", -1)], "2 API keys expire within 5 days (1 already expired)"),
        ([("A\nBcc: x@evil.test", 5)], "A Bcc: x@evil.test: API key expires in 5 days"),
    ],
)
def test_the_subject_names_the_app_and_the_nearest_expiry(lines, subject) -> None:
    assert subject_for([_line(app, days) for app, days in lines]) == subject


def _deliver(now: dt.datetime) -> None:
    expiry_alerts_run(now=now)  # what manage.py send_expiry_alerts does: scan, deliver inline


@pytest.fixture
def both_issuers(spa, actor, fake_zenoti):
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    zenoti_app = make_zenoti_application(
        spa, actor=actor, name="Zenoti kiosk", api_key=raw, days=6, contacts=["dev@agency.test"]
    )
    own = make_key(
        make_application(spa, name="Glow Spa Booking", contact_emails=["dev@agency.test"]),
        expires_at=timezone.now() + dt.timedelta(days=6, hours=1),
    )
    own.label = "Production booking site"
    own.save(update_fields=["label"])
    return only_key(zenoti_app), own, raw


def test_each_key_says_what_it_is_and_what_to_do(both_issuers, smtp_server) -> None:
    zenoti, own, raw = both_issuers
    _deliver(timezone.now())
    mail = smtp_server.by_recipient()["ops@serenity.test"][0]
    assert mail.message["Subject"] == "2 API keys expire within 7 days"
    text, html = mail.text, unescape(mail.html)
    for body in (text, html):
        assert "Serenity Spa" in body and "Production booking site" in body
        assert own.prefix in body and f"…{own.last_four}" in body
        assert zenoti.prefix in body and f"…{raw[-4:]}" in body
        assert raw not in body and own.key not in body
    assert f"{ROTATE_IN_ZENOTI}: http://testserver/admin" in text
    assert "Rotate it in Keyport: http://testserver/admin" in text
    assert "alert recipients of Serenity Spa" in text and "organization admin" in text
    assert 'style="' in mail.html  # inline styles: mail clients drop <style> blocks


def test_contacts_outside_the_organization_get_no_admin_links(both_issuers, smtp_server) -> None:
    _, own, _ = both_issuers
    organization = own.application.organization
    organization.app_contacts = AppContacts.EXTERNAL
    organization.save(update_fields=["app_contacts"])
    _deliver(timezone.now())
    inbox = smtp_server.by_recipient()
    developer = inbox["dev@agency.test"][0]
    assert "/admin/" not in developer.text + developer.html
    assert ROTATE_NO_LINK in developer.text and ROTATE_IN_ZENOTI_NO_LINK in developer.text
    why = WHY_CONTACT.format(
        organization="Serenity Spa", applications="Glow Spa Booking, Zenoti kiosk"
    )
    assert why in developer.text
    assert "http://testserver/admin" in inbox["ops@serenity.test"][0].text


def test_members_who_are_contacts_keep_their_links(both_issuers, smtp_server) -> None:
    _deliver(timezone.now())
    assert "http://testserver/admin" in smtp_server.by_recipient()["dev@agency.test"][0].text


@pytest.fixture
def org_admin_client(organization, client):
    """Organization settings, and so the test alert, belong to the Organization admin role."""
    client.force_login(make_user("olga", role=ORGANIZATION_ADMIN, organizations=[organization]))
    return client


def test_operators_get_no_test_alert_button(operator_client, organization) -> None:
    url = reverse("admin:apps_registry_organization_test_alert", args=[organization.pk])
    page = operator_client.get(
        reverse("admin:apps_registry_organization_change", args=[organization.pk])
    )
    assert url not in page.content.decode()
    assert operator_client.post(url).status_code == 403


def test_the_test_alert_button_sends_a_sample_and_audits_it(
    org_admin_client, spa, smtp_server
) -> None:
    operator_client = org_admin_client
    url = reverse("admin:apps_registry_organization_test_alert", args=[spa.pk])
    change = operator_client.get(reverse("admin:apps_registry_organization_change", args=[spa.pk]))
    assert url in change.content.decode()
    assert "ops@serenity.test" in operator_client.get(url).content.decode()
    assert smtp_server.received == []

    done = operator_client.post(url, follow=True)
    assert "Sent a test alert to ops@serenity.test, sec@serenity.test" in done.content.decode()
    mails = smtp_server.wait_for(2)
    assert {m.message["Subject"] for m in mails} == {"[Test] Sample app: API key expires in 7 days"}
    assert "This is a test" in mails[0].text
    event = AuditEvent.objects.get(action="expiry_alert_test")
    assert event.organization == spa
    assert event.details == {"recipients": ["ops@serenity.test", "sec@serenity.test"]}


def test_the_test_alert_without_recipients_says_what_to_do(org_admin_client, organization):
    operator_client = org_admin_client
    organization.alert_recipients = []
    organization.save(update_fields=["alert_recipients"])
    url = reverse("admin:apps_registry_organization_test_alert", args=[organization.pk])
    response = operator_client.post(url, follow=True)
    assert NO_RECIPIENTS_MESSAGE in unescape(response.content.decode())
    assert not AuditEvent.objects.filter(action="expiry_alert_test").exists()


def test_another_organizations_test_alert_is_a_404(operator_client, other_organization) -> None:
    url = reverse("admin:apps_registry_organization_test_alert", args=[other_organization.pk])
    assert operator_client.post(url).status_code == 404
