"""Shared fixtures: organizations, users in the shipped roles, logged-in clients.

Every user fixture gets its permissions from the role groups the data migrations create
(``apps_registry.roles``), so a test sees what a real operator, auditor or exporter sees.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import settings
from playwright.sync_api import Page, sync_playwright

from apps_registry import roles
from apps_registry.actors import Actor
from apps_registry.models import ApiScope, Organization
from tests.factories import PASSWORD, make_organization, make_user
from tests.support_services import IN_CI

pytest_plugins = [
    "tests.support_smtp",
    "tests.support_celery",
    "tests.support_alerts",
    "tests.support_mindbody",
    "tests.support_verify",
    "tests.support_zenoti",
]


# `make fuzz` runs the property tests with HYPOTHESIS_PROFILE=fuzz (10,000 examples each).
settings.register_profile("fuzz", max_examples=10_000, deadline=None)
settings.register_profile("default", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
CHROMIUM = "/usr/bin/chromium"
OPERATOR_PASSWORD = PASSWORD


def require_chromium() -> str:
    """The Chromium path; a missing browser fails in CI and skips (with a reason) elsewhere."""
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return CHROMIUM
    if IN_CI:
        pytest.fail("Chromium is missing at /usr/bin/chromium; CI must run the browser tests.")
    pytest.skip("Chromium is not installed here (apt-get install chromium); CI runs this test.")


@pytest.fixture
def organization(db: Any) -> Organization:
    return make_organization("Serenity Spa", alert_recipients=["ops@serenity.test"])


@pytest.fixture
def other_organization(db: Any) -> Organization:
    return make_organization("Rival Gym")


@pytest.fixture
def operator(organization: Organization) -> User:
    """An operator of the Serenity Spa: the shipped Operator role (no organization or scope
    added or deleted, no audit log, no export)."""
    return make_user("olivia", role=roles.OPERATOR, organizations=[organization])


@pytest.fixture
def viewer(organization: Organization) -> User:
    """Read-only: the shipped Auditor role."""
    return make_user("victor", role=roles.AUDITOR, organizations=[organization])


@pytest.fixture
def exporter(organization: Organization) -> User:
    """The shipped Credential exporter role."""
    return make_user("erin", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])


@pytest.fixture
def actor(operator: User) -> Actor:
    return Actor.for_user(operator, ip="203.0.113.7")


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def exporter_client(exporter: User) -> Client:
    client = Client()
    client.force_login(exporter)
    return client


@pytest.fixture
def scopes(db: Any) -> list[ApiScope]:
    return list(ApiScope.objects.order_by("code")[:3])


# Browser tests always take their screenshots; `make screenshots` keeps them for the README
# (docs/screenshots/), other runs write them under var/ so a test run leaves git clean.
_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = (
    _ROOT / "docs" / "screenshots"
    if os.environ.get("KEYPORT_UPDATE_SCREENSHOTS") == "1"
    else _ROOT / "var" / "screenshots"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM must still work here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def log_in(page: Page, base_url: str, username: str, password: str = OPERATOR_PASSWORD) -> None:
    """Log in through the real admin login form."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests flush the database; restore what migrations seeded afterwards.

    Without this, the scope catalog and the role groups (data migrations) vanish for every
    test that runs after a live-server or Celery-worker test.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
