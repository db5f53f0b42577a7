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
        existing = user_model.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            username = existing.get_username()
            self.stdout.write(f"An admin user already exists ({username}); keeping it.")
            self.stdout.write(
                f"Forgot its password? .venv/bin/python manage.py changepassword {username}"
            )
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
        self.stdout.write("It will not be shown again. To change it later:")
        self.stdout.write(f"  .venv/bin/python manage.py changepassword {DEFAULT_USERNAME}")
