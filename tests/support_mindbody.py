"""Fixtures for Mindbody tests: a fake Mindbody on 127.0.0.1 and a sandbox connection.

``fake_mindbody`` points ``MINDBODY_API_BASE_URL`` at the fake and shortens every timeout
and backoff so the failure tests stay fast; the client is rebuilt on the setting change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps_registry.actors import Actor
from apps_registry.models import Organization
from connections import services
from connections.call_tally import TALLY
from connections.models import MindbodySiteConnection
from tests.factories import make_connection
from tests.fake_mindbody import SANDBOX, FakeMindbody

API_KEY = "mbk_live_7f3a9c2e5b8d41f6a0c3e9b7d2f5a8c1"
OTHER_API_KEY = "mbk_live_0000111122223333444455556666"
STAFF_USERNAME = "frontdesk"
STAFF_PASSWORD = "Sunrise-Yoga-2024!"
LIVE_SITE = 512345
READ_TIMEOUT = 0.5


@pytest.fixture
def fake_mindbody(settings: Any) -> Iterator[FakeMindbody]:
    fake = FakeMindbody().start()
    fake.api_keys.add(API_KEY)
    fake.add_staff(SANDBOX, STAFF_USERNAME, STAFF_PASSWORD)
    fake.add_staff(LIVE_SITE, STAFF_USERNAME, STAFF_PASSWORD)
    settings.MINDBODY_API_BASE_URL = fake.url
    settings.MINDBODY_CONNECT_TIMEOUT = 0.5
    settings.MINDBODY_READ_TIMEOUT = READ_TIMEOUT
    settings.MINDBODY_MAX_RETRIES = 2
    settings.MINDBODY_BACKOFF_FACTOR = 0.01
    settings.MINDBODY_RETRY_AFTER_MAX = 2
    TALLY.drain()  # calls an earlier test left uncounted are not this test's
    yield fake
    fake.stop()


@pytest.fixture
def sandbox_connection(
    organization: Organization, actor: Actor, fake_mindbody: FakeMindbody
) -> MindbodySiteConnection:
    return make_connection(
        organization, name="Sandbox", site_id=SANDBOX, api_key=API_KEY, actor=actor
    )


@pytest.fixture
def issued_connection(
    sandbox_connection: MindbodySiteConnection, actor: Actor
) -> MindbodySiteConnection:
    services.mindbody_token_issue(
        connection=sandbox_connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
    )
    sandbox_connection.refresh_from_db()
    return sandbox_connection
