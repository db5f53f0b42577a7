"""Shared fixtures: organizations, operators with real permissions, logged-in clients."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from apps_registry.actors import Actor
from apps_registry.models import ApiScope, Organization

pytest_plugins = ["tests.support_smtp", "tests.support_celery", "tests.support_alerts"]

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
OPERATOR_PASSWORD = "operator-pass-1234"

OPERATOR_PERMISSIONS = [
    f"{verb}_{model}"
    for model in ("application", "redirecturl", "apikey", "organization", "apiscope")
    for verb in ("add", "change", "view", "delete")
] + ["view_auditevent"]


def require_chromium() -> str:
    """The Chromium path; a missing browser fails in CI and skips (with a reason) elsewhere."""
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return CHROMIUM
    if IN_CI:
        pytest.fail("Chromium is missing at /usr/bin/chromium; CI must run the browser tests.")
    pytest.skip("Chromium is not installed here (apt-get install chromium); CI runs this test.")


def make_user(username: str, *, permissions: list[str], organizations: list[Organization]) -> User:
    user = User.objects.create_user(username=username, password=OPERATOR_PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="apps_registry", codename__in=permissions)
    )
    for organization in organizations:
        organization.members.add(user)
    return user


@pytest.fixture
def organization(db: Any) -> Organization:
    return Organization.objects.create(
        name="Serenity Spa", slug="serenity-spa", alert_recipients=["ops@serenity.test"]
    )


@pytest.fixture
def other_organization(db: Any) -> Organization:
    return Organization.objects.create(name="Rival Gym", slug="rival-gym")


@pytest.fixture
def operator(organization: Organization) -> User:
    return make_user("olivia", permissions=OPERATOR_PERMISSIONS, organizations=[organization])


@pytest.fixture
def viewer(organization: Organization) -> User:
    views = [p for p in OPERATOR_PERMISSIONS if p.startswith("view_")]
    return make_user("victor", permissions=views, organizations=[organization])


@pytest.fixture
def actor(operator: User) -> Actor:
    return Actor.for_user(operator, ip="203.0.113.7")


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def scopes(db: Any) -> list[ApiScope]:
    return list(ApiScope.objects.order_by("code")[:3])
