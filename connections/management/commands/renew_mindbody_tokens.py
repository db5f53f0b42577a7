"""``manage.py renew_mindbody_tokens``: the hourly renewal pass, run by hand."""

from __future__ import annotations

from typing import Any

from apps_registry.actors import Actor
from connections import services
from connections.management.commands._report import print_report
from plumbing.terminal import SafeOutputCommand


class Command(SafeOutputCommand):
    help = "Renew Mindbody staff tokens that expire within 6 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.mindbody_tokens_renew_due(actor=Actor.cli())
        print_report(self, report, verb="Renewed")
