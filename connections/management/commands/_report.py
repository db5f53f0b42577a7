"""Printing a pass report the same way for both pass commands."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from connections.services import PassReport


def print_report(command: BaseCommand, report: PassReport, *, verb: str) -> None:
    """One line per connection, a summary, and a non-zero exit when any connection failed."""
    for outcome in report.outcomes:
        stream = command.stdout if outcome.ok else command.stderr
        stream.write(f"{outcome.connection}: {outcome.message}")
    summary = report.summary()
    command.stdout.write(
        f"{verb} {summary['succeeded']} of {summary['connections']} connection(s); "
        f"{summary['failed']} failed; at most {summary['peak_in_flight']} call(s) in flight."
    )
    if report.failures:
        raise CommandError(f"{len(report.failures)} connection(s) failed; see above.")
