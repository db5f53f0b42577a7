"""``manage.py verify_zenoti_keys [--app APPLICATION_ID ...]``: the daily live check, by hand.

One line per key with Zenoti's own message, a summary, and a non-zero exit when any key
failed, so a cron job or CI step notices. Audited as ``cli:<os user>``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from apps_registry.actors import Actor
from apps_registry.models import Application
from apps_registry.models.keys import ZenotiCheckResult
from apps_registry.services import zenoti_keys_check_all
from plumbing.terminal import SafeOutputCommand

UNKNOWN_APP_MESSAGE = "No application with Application ID {value}."
NOT_ZENOTI_APP_MESSAGE = (
    "Application {value} was issued by Keyport: Zenoti does not know its keys, nothing to check."
)
FAILED_MESSAGE = "{count} key(s) failed the check with Zenoti; see above."


class Command(SafeOutputCommand):
    help = "Check Zenoti-issued API keys live with Zenoti (GET /v1/centers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app", nargs="+", default=[], metavar="APPLICATION_ID")

    def _check_apps(self, app_ids: list[str]) -> None:
        found = dict(
            Application.objects.filter(application_id__in=app_ids).values_list(
                "application_id", "credential_origin"
            )
        )
        for value in app_ids:
            if value not in found:
                raise CommandError(UNKNOWN_APP_MESSAGE.format(value=value))
            if Application(credential_origin=found[value]).issued_by_zenoti is False:
                raise CommandError(NOT_ZENOTI_APP_MESSAGE.format(value=value))

    def handle(self, *args: Any, **options: Any) -> None:
        app_ids: list[str] = options["app"]
        self._check_apps(app_ids)
        report = zenoti_keys_check_all(actor=Actor.cli(), application_ids=app_ids)
        for check in report.checks:
            label = ZenotiCheckResult(check.result).label
            self.stdout.write(f"{check.label}: {label}. {check.text}")
        self.stdout.write(
            f"Checked {len(report.checks)} key(s); {len(report.failures)} failed; "
            f"at most {report.peak_in_flight} call(s) in flight."
        )
        if report.failures:
            raise CommandError(FAILED_MESSAGE.format(count=len(report.failures)))
