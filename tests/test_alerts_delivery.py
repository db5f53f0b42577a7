"""Digest delivery (apps_registry.alerts.delivery / digest) against a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest

from apps_registry.alerts.claims import expiry_alerts_scan
from apps_registry.alerts.delivery import NO_RECIPIENTS_ERROR, Delivery, expiry_alerts_deliver
from apps_registry.alerts.digest import DigestLine
from apps_registry.alerts.message import WHY_CONTACT, WHY_RECIPIENT
from apps_registry.models import ExpiryAlert
from apps_registry.models.keys import days_until
from tests.factories import make_application, make_key
from tests.support_alerts import NOW, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_keys(spa):
    """Booking widget (contacts: a developer and an org recipient) and a kiosk app."""
    booking = make_application(
        spa, name="Booking widget", contact_emails=("dev@widget.test", "OPS@serenity.test")
    )
    kiosk = make_application(spa, name="Front desk kiosk", contact_emails=("kiosk@vendor.test",))
    return {
        "b25": make_key(booking, expires_at=in_days(25)),
        "b5": make_key(booking, expires_at=in_days(5)),
        "k-2": make_key(kiosk, expires_at=in_days(-2)),
    }


def deliver(report, *, final_attempt: bool = False, now: dt.datetime = NOW):
    (batch,) = report.batches
    return expiry_alerts_deliver(
        organization_id=batch.organization_id,
        claim=batch.claim,
        now=now,
        final_attempt=final_attempt,
    )


def test_digest_reaches_each_recipient_once_with_only_their_apps(due_keys, smtp_server) -> None:
    outcome = deliver(expiry_alerts_scan(now=NOW))

    assert outcome.status is Delivery.SENT and outcome.messages == 4
    inbox = smtp_server.by_recipient()
    assert sorted(inbox) == [
        "dev@widget.test",
        "kiosk@vendor.test",
        "ops@serenity.test",
        "sec@serenity.test",
    ]
    assert all(len(mails) == 1 for mails in inbox.values())
    prefixes = {name: key.prefix for name, key in due_keys.items()}
    everything = inbox["ops@serenity.test"][0]
    assert everything.message["Subject"] == "3 API keys expire within 25 days (1 already expired)"
    assert WHY_RECIPIENT.format(organization="Serenity Spa") in everything.text
    assert all(prefix in everything.text for prefix in prefixes.values())
    developer = inbox["dev@widget.test"][0].text
    assert prefixes["b25"] in developer and prefixes["b5"] in developer
    assert prefixes["k-2"] not in developer
    kiosk = inbox["kiosk@vendor.test"][0]
    assert kiosk.message["Subject"] == "Front desk kiosk: API key expired 2 days ago"
    assert prefixes["k-2"] in kiosk.html
    why = WHY_CONTACT.format(organization="Serenity Spa", applications="Front desk kiosk")
    assert why in kiosk.text
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {"sent"}
    row = ExpiryAlert.objects.get(api_key=due_keys["k-2"], threshold_days=0)
    assert row.recipients == ["kiosk@vendor.test", "ops@serenity.test", "sec@serenity.test"]
    assert row.sent_at == NOW and row.attempts == 1


def test_digest_shows_prefix_days_left_and_rotate_link_never_the_key(due_keys, smtp_server):
    deliver(expiry_alerts_scan(now=NOW))
    mail = smtp_server.by_recipient()["sec@serenity.test"][0]
    key = due_keys["b5"]
    raw_key = key.key
    for body in (mail.text, mail.html):
        assert raw_key not in body and raw_key.split(".", 1)[1] not in body
        assert f"http://testserver/admin/apps_registry/application/{key.application_id}" in body
        assert f"/keys/{key.pk}/rotate/" in body
        assert "5 days" in body and "25 days" in body and "expired 2 days ago" in body
        assert key.expires_at.strftime("%Y-%m-%d") in body


def test_smtp_down_keeps_rows_pending_for_a_retry_then_fails_on_the_last(due_keys, smtp_server):
    smtp_server.stop()
    report = expiry_alerts_scan(now=NOW)

    retry = deliver(report)
    assert retry.status is Delivery.RETRY and "Connection refused" in retry.error
    rows = ExpiryAlert.objects.all()
    assert {(r.status, r.attempts, r.sent_at) for r in rows} == {("pending", 1, None)}
    assert all("Connection refused" in r.error for r in rows)

    final = deliver(report, final_attempt=True)
    assert final.status is Delivery.FAILED
    assert set(ExpiryAlert.objects.values_list("status", "attempts")) == {("failed", 2)}

    smtp_server.start()
    rescan = expiry_alerts_scan(now=NOW + dt.timedelta(days=1))
    assert rescan.reclaimed == 7 and deliver(rescan).status is Delivery.SENT
    assert len(smtp_server.received) == 4


def test_a_retry_after_partial_failure_sends_only_what_is_still_owed(due_keys, smtp_server):
    smtp_server.handler.refuse = {"sec@serenity.test"}
    report = expiry_alerts_scan(now=NOW)
    assert deliver(report).status is Delivery.RETRY
    delivered_first = sorted(r.lower() for m in smtp_server.received for r in m.rcpt_tos)
    assert "sec@serenity.test" not in delivered_first

    smtp_server.handler.refuse = set()
    assert deliver(report).status is Delivery.SENT
    inbox = smtp_server.by_recipient()
    assert len(inbox["sec@serenity.test"]) == 1
    assert all(len(mails) == 1 for mails in inbox.values())


def test_delivering_the_same_claim_twice_sends_once(due_keys, smtp_server) -> None:
    report = expiry_alerts_scan(now=NOW)
    assert deliver(report).status is Delivery.SENT
    assert deliver(report).status is Delivery.NOTHING
    assert len(smtp_server.received) == 4


def test_alerts_without_any_recipient_fail_with_a_clear_error(organization, smtp_server) -> None:
    organization.alert_recipients = []
    organization.save()
    make_key(make_application(organization, name="Orphan app"), expires_at=in_days(3))
    outcome = deliver(expiry_alerts_scan(now=NOW))
    assert outcome.status is Delivery.FAILED and outcome.error == NO_RECIPIENTS_ERROR
    assert set(ExpiryAlert.objects.values_list("status", "error")) == {
        ("failed", NO_RECIPIENTS_ERROR)
    }
    assert smtp_server.received == []


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (dt.timedelta(days=25), "25 days"),
        (dt.timedelta(days=1, hours=3), "2 days"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(hours=12), "1 day"),
        (dt.timedelta(hours=-12), "expired today"),
        (dt.timedelta(days=-1, hours=-1), "expired 1 day ago"),
        (dt.timedelta(days=-2), "expired 2 days ago"),
    ],
)
def test_days_left_labels(delta: dt.timedelta, label: str) -> None:
    expires_at = NOW + delta
    line = DigestLine(
        "App", "kp_x", expires_at, days_until(expires_at, NOW), delta.total_seconds() <= 0, "", ()
    )
    assert line.days_left_label == label
