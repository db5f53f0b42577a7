"""``manage.py send_expiry_alerts [--dry-run] [--now ISO-8601]``: the beat task's scan, by hand.

Without ``--dry-run`` it claims what is due and delivers the digests inline (no worker
needed); a failed delivery leaves its rows ``failed`` for the next scan and exits non-zero.
A thin wrapper: the run and its rows are ``apps_registry.alerts.manual``'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps_registry.alerts.manual import PreviewRow, expiry_alerts_run, preview_rows
from plumbing.terminal import SafeOutputCommand

NOW_NEEDS_DRY_RUN = "--now only previews another date: add --dry-run."
NOW_INVALID = "--now must be an ISO-8601 date or date-time, such as 2026-01-31T06:00:00Z."
DELIVERY_FAILED = "Some digests could not be sent; their alerts are marked failed and retried."
NOTHING_DUE = "Nothing is due."
COLUMNS = (
    "Organization",
    "Application",
    "Key prefix",
    "Expires (UTC)",
    "Days left",
    "Alerts",
    "Recipients",
)


def parse_now(value: str) -> dt.datetime:
    """An aware datetime from ``2026-01-31`` or ``2026-01-31T06:00:00+00:00``."""
    parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    if parsed is None:
        raise CommandError(NOW_INVALID)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _cells(row: PreviewRow) -> tuple[str, ...]:
    return (
        row.organization,
        row.application,
        row.prefix,
        f"{row.expires_at:%Y-%m-%d %H:%M}",
        str(row.days_left),
        row.alerts,
        ", ".join(row.recipients) or "nobody (add recipients)",
    )


def format_table(preview: list[PreviewRow]) -> str:
    rows = [_cells(row) for row in preview]
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
        run = expiry_alerts_run(now=now, dry_run=options["dry_run"])
        rows = preview_rows(run.report)
        if options["dry_run"]:
            self.stdout.write(format_table(rows) if rows else NOTHING_DUE)
            self.stdout.write(f"Dry run as of {now:%Y-%m-%d %H:%M} UTC: nothing was sent.")
            return
        for error in run.errors:
            self.stderr.write(error)
        self.stdout.write(format_table(rows) if rows else NOTHING_DUE)
        self.stdout.write(f"{run.sent} of {len(run.report.batches)} digests sent.")
        if run.failed:
            raise CommandError(DELIVERY_FAILED)
