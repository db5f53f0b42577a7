"""``rotate_encryption_keys``: new key first, everything re-encrypted, or nothing changed."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from apps_registry.models import ApiKey, Application, EncryptionCanary
from apps_registry.services.key_rotation import encrypted_columns
from tests.factories import make_application, make_key


@pytest.fixture
def seeded(organization, scopes, actor):
    apps = []
    for number in range(7):
        application = make_application(
            organization, name=f"App {number}", scopes=scopes, actor=actor
        )
        secret = application.secret
        raw_key = make_key(application, actor=actor).key
        apps.append((application.pk, secret, raw_key))
    return apps


def _raw(table: str, column: str) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608
        return dict(cursor.fetchall())


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_round_trip_then_old_key_can_go(seeded, settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEY)
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, *old_keys]):
        output = _run("--batch-size", "3")
    assert "apps_registry.Application.secret: re-encrypted 7 value(s)" in output
    assert "apps_registry.ApiKey.key: re-encrypted 7 value(s)" in output
    assert "apps_registry.EncryptionCanary.value: re-encrypted 1 value(s)" in output
    assert "7/7" in output
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key]):
        for pk, secret, raw_key in seeded:
            assert Application.objects.get(pk=pk).secret == secret
            assert ApiKey.objects.get(application_id=pk).key == raw_key
        assert EncryptionCanary.objects.get().value == "keyport-encryption-canary"
        for pk, secret, _ in seeded:
            assert secret not in _raw("apps_registry_application", "secret")[pk]


def test_one_corrupted_value_changes_nothing(seeded, settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE apps_registry_apikey SET key = %s "
            "WHERE id = (SELECT MIN(id) FROM apps_registry_apikey)",
            [Fernet(Fernet.generate_key()).encrypt(b"foreign").decode()],
        )
    before = {c.label: _raw(c.model._meta.db_table, c.field.column) for c in encrypted_columns()}
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, *settings.FIELD_ENCRYPTION_KEY]):
        with pytest.raises(CommandError, match="Nothing was changed: 1 stored value"):
            _run()
    after = {c.label: _raw(c.model._meta.db_table, c.field.column) for c in encrypted_columns()}
    assert after == before


def test_dry_run_counts_and_changes_nothing(seeded, settings):
    before = _raw("apps_registry_application", "secret")
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, *settings.FIELD_ENCRYPTION_KEY]):
        output = _run("--dry-run")
    assert "would re-encrypt 7 value(s)" in output
    assert _raw("apps_registry_application", "secret") == before
