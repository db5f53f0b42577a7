"""``manage.py send_expiry_alerts [--dry-run] [--now ISO-8601]``: the beat task's scan, by hand.

Without ``--dry-run`` it claims what is due and delivers the digests inline (no worker
needed); a failed delivery leaves its rows ``failed`` for the next scan and exits non-zero.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps_registry.alerts.claims import ScanReport, expiry_alerts_scan
from apps_registry.alerts.delivery import Delivery, expiry_alerts_deliver
from apps_registry.alerts.due import DueKey, days_left, thresholds_label
from apps_registry.models import Organization
from plumbing.terminal import SafeOutputCommand

NOW_NEEDS_DRY_RUN = "--now only previews another date: add --dry-run."
NOW_INVALID = "--now must be an ISO-8601 date or date-time, such as 2026-01-31T06:00:00Z."
DELIVERY_FAILED = "Some digests could not be sent; their alerts are marked failed and retried."
NOTHING_DUE = "Nothing is due."
COLUMNS = ("Organization", "Application", "Key prefix", "Expires (UTC)", "Days left", "Alerts")


def parse_now(value: str) -> dt.datetime:
    """An aware datetime from ``2026-01-31`` or ``2026-01-31T06:00:00+00:00``."""
    parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    if parsed is None:
        raise CommandError(NOW_INVALID)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def table_rows(report: ScanReport) -> list[tuple[str, ...]]:
    """One row per key that a real run would put in a digest, newly due or retried."""
    merged: dict[int, DueKey] = {}
    for key in [*report.due, *report.retry]:
        seen = merged.get(key.api_key_id)
        thresholds = sorted({*key.thresholds, *(seen.thresholds if seen else ())}, reverse=True)
        merged[key.api_key_id] = DueKey(**{**key.__dict__, "thresholds": tuple(thresholds)})
    names = dict(
        Organization.objects.filter(
            pk__in={k.organization_id for k in merged.values()}
        ).values_list("pk", "name")
    )
    return [
        (
            names.get(key.organization_id, "?"),
            key.application_name,
            key.prefix,
            f"{key.expires_at:%Y-%m-%d %H:%M}",
            str(days_left(expires_at=key.expires_at, now=report.now)),
            thresholds_label(key.thresholds),
        )
        for key in sorted(
            merged.values(), key=lambda k: (names.get(k.organization_id, ""), k.expires_at)
        )
    ]


def format_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    header = "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
    return "\n".join([header, "  ".join("-" * w for w in widths), *lines])


class Command(SafeOutputCommand):
    help = "Send key-expiry digests now (one per organization), or preview them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print, send nothing.")
        parser.add_argument("--now", help="Preview as of this ISO-8601 date (with --dry-run).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"] and not options["dry_run"]:
            raise CommandError(NOW_NEEDS_DRY_RUN)
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        report = expiry_alerts_scan(now=now, dry_run=options["dry_run"])
        rows = table_rows(report)
        if options["dry_run"]:
            self.stdout.write(format_table(rows) if rows else NOTHING_DUE)
            self.stdout.write(f"Dry run as of {now:%Y-%m-%d %H:%M} UTC: nothing was sent.")
            return
        failed = 0
        for batch in report.batches:
            try:
                outcome = expiry_alerts_deliver(
                    organization_id=batch.organization_id,
                    claim=batch.claim,
                    now=now,
                    final_attempt=True,
                )
            except Exception as exc:  # one organization's failure never stops the next digest
                failed += 1
                self.stderr.write(f"Organization {batch.organization_id}: {type(exc).__name__}")
                continue
            failed += outcome.status is Delivery.FAILED
            if outcome.error:
                self.stderr.write(f"Organization {batch.organization_id}: {outcome.error}")
        self.stdout.write(format_table(rows) if rows else NOTHING_DUE)
        self.stdout.write(f"{len(report.batches) - failed} of {len(report.batches)} digests sent.")
        if failed:
            raise CommandError(DELIVERY_FAILED)
