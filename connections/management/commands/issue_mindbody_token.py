"""``manage.py issue_mindbody_token <id> --username USER``: issue a staff token, then verify.

The password comes from a hidden prompt, or from ``MINDBODY_STAFF_PASSWORD`` for scripts;
never from the command line, where it would land in shell history and ``ps``.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import CommandError
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from connections import services
from connections.models import MindbodySiteConnection
from plumbing.terminal import SafeOutputCommand

PASSWORD_ENV = "MINDBODY_STAFF_PASSWORD"  # noqa: S105 - the variable's name, not a password
NO_SUCH_CONNECTION = "There is no Mindbody connection with ID {id}."
NO_PASSWORD = "No password given; type it at the prompt or set MINDBODY_STAFF_PASSWORD."  # noqa: S105


class Command(SafeOutputCommand):
    help = "Issue a Mindbody staff token for a connection from a staff username and password."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("connection_id", type=int)
        parser.add_argument("--username", required=True, help="The staff member's username.")

    @sensitive_variables("password")
    def handle(self, *args: Any, **options: Any) -> None:
        connection = MindbodySiteConnection.objects.filter(pk=options["connection_id"]).first()
        if connection is None:
            raise CommandError(NO_SUCH_CONNECTION.format(id=options["connection_id"]))
        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(
            f"Mindbody password for {options['username']}: "
        )
        if not password:
            raise CommandError(NO_PASSWORD)
        actor = Actor.cli()
        try:
            issued = services.mindbody_token_issue(
                connection=connection, username=options["username"], password=password, actor=actor
            )
            del password
            self.stdout.write(f"{issued.connection}: {issued.message}")
            verified = services.mindbody_connection_verify(connection=connection, actor=actor)
        except services.ConnectionActionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{verified.connection}: {verified.message}")
