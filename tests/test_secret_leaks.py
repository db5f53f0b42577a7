"""No secret in an error email, a log line, or the database files (SQLite and pg_dump)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.db.models.signals import pre_save
from django.test import Client, override_settings
from django.urls import reverse

from apps_registry.models import ApiKey
from plumbing.log_redaction import REDACTED, RedactSecretsFilter, redact
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
SEED = """
import json
from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.models import ApiScope
from django.utils import timezone
import datetime as dt
from tests.factories import make_application, make_key, make_organization
org = make_organization("Leak check")
actor = Actor.system()
scopes = list(ApiScope.objects.all()[:2])
app = make_application(org, name="Generated", scopes=scopes)
secret = app.secret
key = make_key(app)
raw_key = key.key
new_key, rotated = services.api_key_rotate(api_key=key, actor=actor)
services.application_record(organization=org, name="Recorded", uri="https://r.example.com",
    login_user_type="guest", source_app="bot", scopes=scopes, application_id="rec-1",
    secret="recorded-secret-Zx81Qm", zenoti_account_name="leakcheck", api_key="recorded-api-key-Pq72Lw",
    api_key_expires_at=timezone.now() + dt.timedelta(days=9), actor=actor)
print(json.dumps([secret, raw_key, rotated, "recorded-secret-Zx81Qm", "recorded-api-key-Pq72Lw"]))
"""


def _seed(database_url: str) -> list[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*manage, "shell", "-c", SEED], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sqlite_file_holds_no_secret(tmp_path):
    database = tmp_path / "keyport.sqlite3"
    secrets = _seed(f"sqlite:///{database}")
    content = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert len(secrets) == 5
    for secret in secrets:
        assert secret.encode() not in content


@pytest.mark.postgres_only
def test_pg_dump_holds_no_secret():
    import psycopg

    if not shutil.which("pg_dump"):
        if IN_CI:
            pytest.fail("pg_dump is missing; CI must run this test.")
        pytest.skip("pg_dump is not installed here.")
    name = "keyport_leak_check"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        secrets = _seed(f"postgres://postgres@127.0.0.1:5432/{name}")
        dump = subprocess.run(
            ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", name],
            check=True,
            capture_output=True,
        ).stdout
        assert b"gAAAAA" in dump  # the secrets are there, encrypted
        for secret in secrets:
            assert secret.encode() not in dump
    finally:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")


@override_settings(ADMINS=[("Ops", "ops@example.com")], DEBUG=False)
def test_error_email_from_a_secret_handling_service_carries_no_secret(
    operator, organization, scopes
):
    client = Client(raise_request_exception=False)
    client.force_login(operator)

    def storage_failure(sender, instance, **kwargs):
        raise RuntimeError("storage failure while saving the key")

    data = {
        "organization": organization.pk,
        "name": "Crashy",
        "uri": "https://c.example.com",
        "login_user_type": "guest",
        "source_app": "bot",
        "auth_method": "api_key",
        "scopes": [s.pk for s in scopes],
        "contact_emails": "",
        "is_active": "on",
        "credential_mode": "record",
        "recorded_application_id": "crash-1",
        "recorded_secret": "pasted-secret-Hq39Vz",
        "recorded_api_key": "pasted-key-Wm48Kx",
        "zenoti_account_name": "leakcheck",
        "recorded_api_key_expires_on": "2099-01-01",
        "post_login_urls-TOTAL_FORMS": "0",
        "post_login_urls-INITIAL_FORMS": "0",
        "post_logout_urls-TOTAL_FORMS": "0",
        "post_logout_urls-INITIAL_FORMS": "0",
    }
    pre_save.connect(storage_failure, sender=ApiKey)
    try:
        response = client.post(reverse("admin:apps_registry_application_add"), data)
    finally:
        pre_save.disconnect(storage_failure, sender=ApiKey)
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0].body + "".join(str(a[1]) for a in mail.outbox[0].alternatives)
    assert "storage failure while saving the key" in report  # the report is useful...
    assert "pasted-secret-Hq39Vz" not in report  # ...and carries no secret
    assert "pasted-key-Wm48Kx" not in report


@pytest.mark.parametrize(
    "line",
    [
        "Authorization: 5f2b9c0a8e",
        "password=hunter2hunter2",
        '{"api_key": "abc123def456"}',
        "token=eyJhbGciOi",
        "stored gAAAAABnXyZ0aPq3b4c5d6e7f8g9h0i1j2k3l4m5n6==",
        "key kp_Ab3dE6gH.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG",
    ],
)
def test_log_filter_redacts_secrets(line):
    redacted = redact(line)
    assert REDACTED in redacted
    for fragment in (
        "5f2b9c0a8e",
        "hunter2hunter2",
        "abc123def456",
        "eyJhbGciOi",
        "gAAAAABnXy",
        "0123456789abcdef",
    ):
        assert fragment not in redacted


def test_every_configured_handler_redacts(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "key is %s", ("password=s3cr3tvalue",), None
    )
    RedactSecretsFilter().filter(record)
    assert "s3cr3tvalue" not in record.getMessage()
