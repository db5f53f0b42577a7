"""Fixtures for Zenoti tests: a fake Zenoti on 127.0.0.1 and Zenoti-issued apps.

``fake_zenoti`` points ``ZENOTI_API_BASE_URL`` at the fake and shortens timeouts and waits
so the failure tests stay fast (the client is rebuilt on the setting change); the rate
limit is lifted unless a test sets ``ZENOTI_CALLS_PER_MINUTE`` itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from apps_registry.models import ApiKey, Application
from tests.fake_zenoti import FakeZenoti

READ_TIMEOUT = 1.5  # generous: a loaded CI machine must not turn a quick answer into a timeout
ACCOUNT = "serenityspa"


def zenoti_key() -> str:
    """A key shaped like Zenoti's example: 64 hexadecimal characters."""
    return secrets.token_hex(32)


@pytest.fixture
def fake_zenoti(settings: Any) -> Iterator[FakeZenoti]:
    fake = FakeZenoti().start()
    settings.ZENOTI_API_BASE_URL = fake.url
    settings.ZENOTI_CONNECT_TIMEOUT = 0.5
    settings.ZENOTI_READ_TIMEOUT = READ_TIMEOUT
    settings.ZENOTI_MAX_RETRIES = 2
    settings.ZENOTI_RETRY_AFTER_MAX = 2
    settings.ZENOTI_CALLS_PER_MINUTE = 60_000
    yield fake
    fake.stop()


def only_key(application: Application) -> ApiKey:
    return ApiKey.objects.get(application=application)
