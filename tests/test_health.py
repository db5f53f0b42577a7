"""Health and readiness endpoints, request ids and JSON log lines."""

from __future__ import annotations

import json
import logging

from cryptography.fernet import Fernet
from django.test import override_settings

from plumbing.log_json import JsonFormatter
from plumbing.request_id import RequestIdFilter


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_every_check(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok", "encryption": "ok"},
    }


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_readyz_fails_without_a_broker_and_names_no_url(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "fail"
    assert "redis://" not in response.content.decode()


def test_readyz_fails_on_a_wrong_encryption_key(client, db):
    with override_settings(FIELD_ENCRYPTION_KEY=[Fernet.generate_key().decode()]):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["encryption"] == "fail"


def test_request_id_is_kept_or_made(client):
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-proxy")["X-Request-ID"]
        == "abc12345-proxy"
    )
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert len(made) == 32 and " " not in made


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("keyport", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello world" and entry["level"] == "INFO"
    assert entry["request_id"] == "-"
