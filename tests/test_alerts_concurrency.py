"""Two scans at once on PostgreSQL never send the same alert twice: the unique constraint
decides who inserts a row, ``SKIP LOCKED`` who re-claims a failed one (apps_registry.alerts).
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from apps_registry.models import ExpiryAlert
from tests.factories import make_application, make_key
from tests.support_alerts import in_days

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 3


def run_scans_together(count: int = 2) -> list[BaseException]:
    """Start ``count`` ``send_expiry_alerts`` runs at the same instant, in threads."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            barrier.wait()
            call_command("send_expiry_alerts", stdout=io.StringIO(), stderr=io.StringIO())
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_scans_send_each_digest_once(spa, smtp_server) -> None:
    smtp_server.handler.delay = 0.05  # keep both deliveries in flight together
    booking = make_application(spa, name="Booking widget", contact_emails=("dev@widget.test",))
    kiosk = make_application(spa, name="Front desk kiosk")
    for round_number in range(1, ROUNDS + 1):
        now = timezone.now()
        for days in (25, 5, 0.5, -2):
            make_key(booking if days > 1 else kiosk, expires_at=in_days(days, now))

        assert run_scans_together() == []

        inbox = smtp_server.by_recipient()
        assert {address: len(mails) for address, mails in inbox.items()} == {
            "ops@serenity.test": round_number,
            "sec@serenity.test": round_number,
            "dev@widget.test": round_number,
        }
        rows = list(ExpiryAlert.objects.values_list("api_key_id", "threshold_days", "status"))
        assert len(rows) == 10 * round_number and {r[2] for r in rows} == {"sent"}


def test_concurrent_scans_retry_a_failed_alert_once(spa, smtp_server) -> None:
    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now()))
    smtp_server.stop()
    with pytest.raises(Exception, match="could not be sent"):
        call_command("send_expiry_alerts", stdout=io.StringIO(), stderr=io.StringIO())
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {"failed"}

    smtp_server.start()
    smtp_server.handler.delay = 0.2
    assert run_scans_together(count=3) == []
    assert sorted(r for mail in smtp_server.received for r in mail.rcpt_tos) == [
        "ops@serenity.test",
        "sec@serenity.test",
    ]
    assert set(ExpiryAlert.objects.values_list("status", "attempts")) == {("sent", 2)}
