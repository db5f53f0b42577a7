"""schemathesis against the served OpenAPI document (in-process WSGI app, test database).

Property-based: it generates bodies from the schema (valid and invalid ones) and runs every
check of schemathesis on each answer: no 5xx, documented status codes and content types,
every body matching its schema, invalid data refused, missing auth refused.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from apps_registry import services
from apps_registry.api import schemas, verify
from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# A body over MAX_BODY_BYTES is refused with 413 before it is parsed: a rejection too.
rejection = schema.config.checks.negative_data_rejection
rejection.expected_statuses = [*rejection.expected_statuses, "413"]
MAX_EXAMPLES = 80


@pytest.fixture
def same_connection():
    """Requests through the WSGI app fire request_finished, which closes the connection (and
    so the test's transaction on PostgreSQL); Django's own test client disconnects it too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, organization, scopes, actor, fresh_cache, same_connection):
    """A real verifier token, and a real key whose verification the fuzzer may stumble on."""
    _, raw = services.verifier_token_create(organization=organization, name="Fuzz", actor=actor)
    return {"Authorization": f"Bearer {raw}", "Host": "127.0.0.1"}


def test_every_body_the_schema_allows_fits_under_the_size_limit():
    """The longest valid body, every character escaped, is still under MAX_BODY_BYTES."""
    longest = json.dumps(
        {
            "key": "\U0001f600" * schemas.MAX_KEY_LENGTH,
            "scopes": ["x" * schemas.MAX_SCOPE_LENGTH] * schemas.MAX_SCOPES,
        }
    )
    assert len(longest.encode()) < verify.MAX_BODY_BYTES


def test_the_document_is_served_and_names_every_answer(client):
    document = client.get("/api/v1/openapi.json", HTTP_HOST="127.0.0.1").json()
    operation = document["paths"]["/api/v1/keys/verify"]["post"]
    assert sorted(operation["responses"]) == ["200", "400", "401", "413", "429"]
    assert document["components"]["securitySchemes"]["VerifierBearer"]["scheme"] == "bearer"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_verify_endpoint_conforms_to_its_schema(case, bearer):
    case.call_and_validate(headers=bearer)
