"""``manage.py send_expiry_alerts [--dry-run] [--now]`` (apps_registry.management.commands)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps_registry.management.commands.send_expiry_alerts import (
    COLUMNS,
    DELIVERY_FAILED,
    NOTHING_DUE,
    NOW_INVALID,
    NOW_NEEDS_DRY_RUN,
)
from apps_registry.models import ExpiryAlert
from tests.factories import make_application, make_key
from tests.support_alerts import NOW, in_days

pytestmark = pytest.mark.django_db


def test_dry_run_prints_a_table_and_sends_nothing(spa, capsys, mailoutbox) -> None:
    key = make_key(
        make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now())
    )
    raw_key = key.key
    call_command("send_expiry_alerts", "--dry-run")
    out = capsys.readouterr().out
    header, _, row, *_ = out.splitlines()
    assert header.split() == " ".join(COLUMNS).split()
    assert row.split()[:4] == ["Serenity", "Spa", "Booking", "widget"]
    assert key.prefix in row and "30, 7  " in row
    assert row.rstrip().endswith("ops@serenity.test, sec@serenity.test")  # who would get it
    assert raw_key not in out
    assert not ExpiryAlert.objects.exists() and mailoutbox == []


def test_now_previews_another_date(spa, capsys) -> None:
    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(40))
    call_command("send_expiry_alerts", "--dry-run", "--now", NOW.isoformat())
    assert NOTHING_DUE in capsys.readouterr().out
    later = (NOW + dt.timedelta(days=39, hours=12)).isoformat()
    call_command("send_expiry_alerts", "--dry-run", "--now", later)
    assert "30, 7, 1" in capsys.readouterr().out
    call_command("send_expiry_alerts", "--dry-run", "--now", "2026-05-01")
    assert "expired" in capsys.readouterr().out
    assert not ExpiryAlert.objects.exists()


def test_now_without_dry_run_and_a_bad_date_are_refused(spa) -> None:
    with pytest.raises(CommandError, match=NOW_NEEDS_DRY_RUN):
        call_command("send_expiry_alerts", "--now", NOW.isoformat())
    with pytest.raises(CommandError, match=NOW_INVALID):
        call_command("send_expiry_alerts", "--dry-run", "--now", "next tuesday")


def test_a_real_run_delivers_inline_once(spa, capsys, mailoutbox) -> None:
    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now()))
    call_command("send_expiry_alerts")
    assert "1 of 1 digests sent." in capsys.readouterr().out
    assert sorted(m.to[0] for m in mailoutbox) == ["ops@serenity.test", "sec@serenity.test"]
    call_command("send_expiry_alerts")
    assert NOTHING_DUE in capsys.readouterr().out and len(mailoutbox) == 2


def test_a_failed_delivery_marks_rows_failed_and_exits_non_zero(spa, smtp_server) -> None:
    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now()))
    smtp_server.stop()
    with pytest.raises(CommandError, match=DELIVERY_FAILED):
        call_command("send_expiry_alerts")
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {"failed"}


def test_preview_rows_merge_due_and_retried_thresholds_per_key(spa, other_organization) -> None:
    from apps_registry.alerts.claims import expiry_alerts_scan
    from apps_registry.alerts.manual import preview_rows

    key = make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5))
    make_key(make_application(other_organization, name="Gym app"), expires_at=in_days(200))
    report = expiry_alerts_scan(now=NOW, dry_run=True)
    [row] = preview_rows(report)
    assert (row.organization, row.application, row.prefix) == (
        spa.name,
        "Booking widget",
        key.prefix,
    )
    assert (row.days_left, row.alerts) == (5, "30, 7")


def test_the_inline_run_sends_each_digest_once_and_reports_failures(spa, smtp_server) -> None:
    from apps_registry.alerts.manual import expiry_alerts_run

    make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5, timezone.now()))
    assert expiry_alerts_run(now=timezone.now(), dry_run=True).report.batches == []
    assert not ExpiryAlert.objects.exists()
    smtp_server.stop()
    failed = expiry_alerts_run(now=timezone.now())
    assert (failed.sent, failed.failed, len(failed.errors)) == (0, 1, 1)
    assert failed.errors[0].startswith(f"Organization {spa.pk}: ")
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {"failed"}
