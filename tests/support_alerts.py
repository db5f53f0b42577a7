"""Builders for alert tests: apps with contacts and keys with a chosen expiry."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest

from apps_registry import credentials, services
from apps_registry.actors import Actor
from apps_registry.models import ApiKey, Application, ExpiryAlert, Organization
from apps_registry.services.keys import store_key

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def make_app(organization: Organization, name: str, contacts: tuple[str, ...] = ()) -> Application:
    application, _ = services.application_create(
        organization=organization,
        name=name,
        uri=f"https://{name.lower().replace(' ', '-')}.example.com",
        login_user_type="guest",
        source_app="external_webstore",
        scopes=[],
        actor=Actor.system(),
        contact_emails=contacts,
    )
    return application


def make_key(application: Application, expires_at: dt.datetime) -> tuple[ApiKey, str]:
    """A key expiring at ``expires_at``; returns the plaintext too, to prove it never leaks."""
    prefix = credentials.new_key_prefix()
    raw_key = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = store_key(
        application=application,
        prefix=prefix,
        raw_key=raw_key,
        expires_at=expires_at,
        actor=Actor.system(),
    )
    return key, raw_key


def in_days(days: float, now: dt.datetime = NOW) -> dt.datetime:
    return now + dt.timedelta(days=days)


def rows_of(key: ApiKey) -> dict[int, str]:
    """threshold -> status of a key's alert rows for its current expiry."""
    return dict(
        ExpiryAlert.objects.filter(api_key=key, expires_at=key.expires_at).values_list(
            "threshold_days", "status"
        )
    )


@pytest.fixture
def spa(organization: Organization) -> Organization:
    organization.alert_recipients = ["ops@serenity.test", "Sec@Serenity.test"]
    organization.save()
    return organization


@pytest.fixture
def actor_system() -> Any:
    return Actor.system()
