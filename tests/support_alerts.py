"""Alert test helpers: a fixed clock, days from it, and the alert rows of a key.

Apps and keys come from tests/factories.py (``make_key(..., expires_at=...)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps_registry.actors import Actor
from apps_registry.models import ApiKey, ExpiryAlert, Organization

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


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
