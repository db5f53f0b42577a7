"""Fixtures for the verification API: an issued key, a verifier token, and a caller."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from apps_registry.models import Application
from tests.factories import make_application, make_key, make_verifier

VERIFY_URL = "/api/v1/keys/verify"


@dataclass
class Issued:
    application: Application
    raw_key: str
    key_id: int


def issue(organization, scopes, actor, name: str = "Booking widget") -> Issued:
    """A generated app of ``organization`` with one key; the key's plaintext on the side."""
    application = make_application(
        organization, name=name, source_app="external_webstore", scopes=scopes, actor=actor
    )
    key = make_key(application, actor=actor)
    return Issued(application, str(key.key), key.pk)


def call(client: Client, token: str | None, body: Any, **extra: Any) -> Any:
    """POST the body (JSON unless it is already bytes) with the verifier token."""
    if token:
        extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(VERIFY_URL, data, content_type="application/json", **extra)


@pytest.fixture
def fresh_cache():
    """The failure counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(organization, scopes, actor) -> Issued:
    return issue(organization, scopes, actor)


@pytest.fixture
def verifier(organization, actor) -> tuple[Any, str]:
    return make_verifier(organization, actor=actor)


@pytest.fixture
def api_client(fresh_cache) -> Client:
    return Client(HTTP_HOST="127.0.0.1")
