"""Encryption at rest (apps_registry.fields, apps_registry.crypto)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from apps_registry.crypto import SecretDecryptionError, decrypt
from apps_registry.fields import last_four
from apps_registry.models import ApiKey, Application
from tests.factories import make_application, make_key


@pytest.fixture
def created(organization, scopes, actor):
    application = make_application(
        organization,
        name="Booking widget",
        source_app="external_webstore",
        scopes=scopes,
        actor=actor,
    )
    secret = application.secret
    key = make_key(application, actor=actor)
    raw_key = key.key
    return application, secret, key, raw_key


def _raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_raw_columns_hold_fernet_tokens_not_the_secrets(created) -> None:
    application, secret, key, raw_key = created
    stored_secret = _raw_column("apps_registry_application", "secret", application.pk)
    stored_key = _raw_column("apps_registry_apikey", "key", key.pk)
    assert secret not in stored_secret and raw_key not in stored_key
    assert stored_secret.startswith("gAAAAA") and stored_key.startswith("gAAAAA")
    assert decrypt(stored_secret) == secret
    assert decrypt(stored_key) == raw_key


def test_reading_back_gives_the_plaintext(created) -> None:
    application, secret, key, raw_key = created
    assert Application.objects.get(pk=application.pk).secret == secret
    assert ApiKey.objects.get(pk=key.pk).key == raw_key


def test_wrong_key_raises_instead_of_returning_ciphertext(created) -> None:
    application, _, _, _ = created
    wrong_key = [Fernet.generate_key().decode()]
    with (
        override_settings(FIELD_ENCRYPTION_KEY=wrong_key),
        pytest.raises(SecretDecryptionError) as raised,
    ):
        Application.objects.get(pk=application.pk)
    assert "FIELD_ENCRYPTION_KEY" in str(raised.value)
    assert "gAAAAA" not in str(raised.value)


def test_old_key_still_decrypts_after_a_new_key_is_put_first(created, settings) -> None:
    application, secret, _, _ = created
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, *settings.FIELD_ENCRYPTION_KEY]):
        assert Application.objects.get(pk=application.pk).secret == secret


def test_last_four_never_returns_a_short_secret_whole() -> None:
    assert last_four("mbk_1234567890abcd") == "…abcd"
    assert last_four("abcdefghi") == "…fghi"
    assert last_four("abcdefgh") == "…"
    assert last_four("") == "…"
