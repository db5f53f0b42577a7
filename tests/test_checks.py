"""The encryption canary stops start-up when FIELD_ENCRYPTION_KEY is wrong."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from apps_registry.checks import KEY_WRONG_MESSAGE
from apps_registry.crypto import SecretDecryptionError
from apps_registry.models import EncryptionCanary


def _check_output() -> str:
    out = io.StringIO()
    call_command("check", stdout=out)
    return out.getvalue()


def test_first_migrate_wrote_a_canary_that_decrypts(db, settings):
    assert EncryptionCanary.objects.count() == 1
    assert "no issues" in _check_output()


def test_wrong_but_well_formed_key_fails_the_check_without_printing_keys(db, settings):
    wrong = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[wrong]):
        with pytest.raises(SystemCheckError) as raised:
            _check_output()
        with pytest.raises(SecretDecryptionError):
            EncryptionCanary.objects.get()
    message = str(raised.value)
    assert KEY_WRONG_MESSAGE in message and "keyport.E002" in message
    for key in [wrong, *settings.FIELD_ENCRYPTION_KEY]:
        assert key not in message


def test_malformed_key_fails_the_check_naming_the_setting(db):
    with override_settings(FIELD_ENCRYPTION_KEY=["not-a-fernet-key"]):
        with pytest.raises(SystemCheckError) as raised:
            _check_output()
    assert "FIELD_ENCRYPTION_KEY" in str(raised.value)
    assert "not-a-fernet-key" not in str(raised.value)


def test_adding_a_new_first_key_keeps_the_check_green(db, settings):
    keys = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEY]
    with override_settings(FIELD_ENCRYPTION_KEY=keys):
        assert "no issues" in _check_output()
