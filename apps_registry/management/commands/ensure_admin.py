"""Create the first admin user (and a first organization) if there is none yet.

``make run`` calls it on every start; it prints a random password only the first time,
because afterwards the password is the operator's business.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from apps_registry.models import Organization
from plumbing.terminal import SafeOutputCommand

DEFAULT_USERNAME = "admin"
DEFAULT_ORGANIZATION = "My organization"


class Command(SafeOutputCommand):
    help = "Create an admin user with a random password and a first organization, once."

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin user already exists; keeping it.")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = user_model.objects.create_superuser(
                username=DEFAULT_USERNAME, email="", password=password
            )
            organization, _ = Organization.objects.get_or_create(
                slug="my-organization", defaults={"name": DEFAULT_ORGANIZATION}
            )
            organization.members.add(user)
        self.stdout.write(self.style.SUCCESS("Created the first admin user. Write this down:"))
        self.stdout.write(f"  login:    {DEFAULT_USERNAME}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write("It will not be shown again (change it under the admin's user menu).")
