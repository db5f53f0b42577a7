"""``manage.py verify_mindbody_connections``: the daily verification pass, run by hand."""

from __future__ import annotations

from typing import Any

from apps_registry.actors import Actor
from connections import services
from connections.management.commands._report import print_report
from plumbing.terminal import SafeOutputCommand


class Command(SafeOutputCommand):
    help = (
        "Check every Mindbody connection's API key and site (GET /site/locations, no token) "
        "and its staff token (GET /site/liabilitywaiver)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.mindbody_connections_verify_all(actor=Actor.cli())
        print_report(self, report, verb="Verified")
