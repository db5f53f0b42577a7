"""``manage.py two_factor_reset USERNAME``: recovery when a user lost their authenticator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from plumbing.terminal import SafeOutputCommand


class Command(SafeOutputCommand):
    help = "Remove a user's two-factor devices so they enrol a new one at their next login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        with transaction.atomic():
            removed, _ = TOTPDevice.objects.filter(user=user).delete()
            audit_record(
                actor=Actor.cli(),
                action="two_factor_reset",
                target=user,
                details={"devices": removed},
            )
        self.stdout.write(
            f"Removed {removed} device(s) of {user.get_username()}; they will enrol a new "
            "authenticator at their next login."
        )
