"""End to end: the beat task on a real Celery worker, a real Redis broker and a real SMTP
server (apps_registry.tasks). PostgreSQL only: the worker runs in another thread, which
an in-memory SQLite database cannot share."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.models import ExpiryAlert
from apps_registry.tasks import SCAN_TASK, SEND_TASK, scan_expiry_alerts
from tests.factories import make_application, make_key, make_organization
from tests.support_alerts import in_days

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def wait_until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}.")
        time.sleep(0.05)


def statuses() -> set[str]:
    return set(ExpiryAlert.objects.values_list("status", flat=True))


@pytest.fixture
def scenario(spa):
    now = timezone.now()
    booking = make_application(
        spa, name="Booking widget", contact_emails=("dev@widget.test", "ops@serenity.test")
    )
    kiosk = make_application(spa, name="Front desk kiosk", contact_emails=("kiosk@vendor.test",))
    keys = {
        d: make_key(booking if d > 1 else kiosk, expires_at=in_days(d, now))
        for d in (40, 25, 5, 0.5, -2)
    }
    revoked = make_key(kiosk, expires_at=in_days(3, now))
    services.api_key_revoke(api_key=revoked, actor=Actor.system())
    rotated = make_key(kiosk, expires_at=in_days(20, now))
    services.api_key_rotate(api_key=rotated, actor=Actor.system())
    gym = make_organization("Iron Gym", alert_recipients=["gm@iron.test"])
    keys["gym"] = make_key(make_application(gym, name="Gym classes"), expires_at=in_days(5, now))
    return keys


def test_beat_task_sends_exactly_the_expected_digests_once(
    scenario, smtp_server, celery_worker_on_redis, celery_task_log
) -> None:
    scan_expiry_alerts.delay()
    celery_task_log.wait_for(SEND_TASK, count=2)  # one per organization
    inbox = smtp_server.wait_for(5)
    by_recipient = smtp_server.by_recipient()
    assert sorted(by_recipient) == [
        "dev@widget.test",
        "gm@iron.test",
        "kiosk@vendor.test",
        "ops@serenity.test",
        "sec@serenity.test",
    ]
    assert all(len(mails) == 1 for mails in by_recipient.values())
    prefix = {days: key.prefix for days, key in scenario.items()}
    spa_digest = by_recipient["ops@serenity.test"][0]
    assert spa_digest.message["Subject"].startswith("4 API keys expire within")
    assert "API keys of Serenity Spa" in spa_digest.text
    assert [p for p in prefix.values() if p in spa_digest.text] == [
        prefix[25],
        prefix[5],
        prefix[0.5],
        prefix[-2],
    ]
    assert {prefix[25], prefix[5]} == {
        p for p in prefix.values() if p in by_recipient["dev@widget.test"][0].text
    }
    assert {prefix[0.5], prefix[-2]} == {
        p for p in prefix.values() if p in by_recipient["kiosk@vendor.test"][0].html
    }
    assert all(key.key not in mail.text + mail.html for key in scenario.values() for mail in inbox)
    rows = sorted(ExpiryAlert.objects.values_list("api_key__prefix", "threshold_days", "status"))
    expected = {25: [30], 5: [30, 7], 0.5: [30, 7, 1], -2: [30, 7, 1, 0], "gym": [30, 7]}
    assert rows == sorted((prefix[d], t, "sent") for d, ts in expected.items() for t in ts)

    scan_expiry_alerts.delay()
    celery_task_log.wait_for(SCAN_TASK, count=2)
    time.sleep(0.5)  # a send task would have been queued by now
    assert len(smtp_server.received) == 5
    assert sum(1 for name, _ in celery_task_log.finished if name == SEND_TASK) == 2


def test_smtp_down_is_retried_with_backoff_then_delivered_once(
    spa, smtp_server, celery_worker_on_redis, settings
) -> None:
    settings.EXPIRY_ALERT_RETRY_BASE_SECONDS = 0.2
    settings.EXPIRY_ALERT_MAX_RETRIES = 30
    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now()))
    smtp_server.stop()

    scan_expiry_alerts.delay()
    wait_until(
        lambda: ExpiryAlert.objects.filter(attempts__gte=2).count() == 2, what="two failed attempts"
    )
    assert statuses() == {"pending"} and smtp_server.received == []
    assert all(
        "Connection refused" in e for e in ExpiryAlert.objects.values_list("error", flat=True)
    )

    smtp_server.start()
    smtp_server.wait_for(2)
    wait_until(lambda: statuses() == {"sent"}, what="rows marked sent")
    time.sleep(0.5)
    assert sorted(r for m in smtp_server.received for r in m.rcpt_tos) == [
        "ops@serenity.test",
        "sec@serenity.test",
    ]


def test_retries_run_out_then_the_next_scan_delivers(
    spa, smtp_server, celery_worker_on_redis, settings
) -> None:
    settings.EXPIRY_ALERT_RETRY_BASE_SECONDS = 0.1
    settings.EXPIRY_ALERT_MAX_RETRIES = 1
    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now()))
    smtp_server.stop()
    scan_expiry_alerts.delay()
    wait_until(lambda: statuses() == {"failed"}, what="rows marked failed")
    assert set(ExpiryAlert.objects.values_list("attempts", flat=True)) == {2}

    smtp_server.start()
    scan_expiry_alerts.delay()
    smtp_server.wait_for(2)
    wait_until(lambda: statuses() == {"sent"}, what="rows marked sent")
