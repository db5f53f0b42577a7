"""The Fernet keys behind every encrypted column, read from ``FIELD_ENCRYPTION_KEY``.

django-encrypted-model-fields builds its crypter once at import time and, when a value does
not decrypt, silently hands back the ciphertext. Keyport keeps its own crypter (rebuilt when
the setting changes, so tests and key rotation can swap keys) and fails loudly instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_SETTING = "FIELD_ENCRYPTION_KEY"
MISSING_KEY_MESSAGE = "FIELD_ENCRYPTION_KEY is not set: add at least one Fernet key."
MALFORMED_KEY_MESSAGE = (
    "FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key "
    "(32 url-safe base64-encoded bytes); key number {position} is wrong."
)
DECRYPT_FAILED_MESSAGE = (
    "A stored secret could not be decrypted: none of the keys in FIELD_ENCRYPTION_KEY "
    "is the key it was encrypted with."
)


WRITE_REFUSED_MESSAGE = (
    "Keyport refuses to store a secret: FIELD_ENCRYPTION_KEY cannot decrypt the encryption "
    "canary in this database, so a secret written now could not be read with the right key."
)


class EncryptionKeyMismatchError(Exception):
    """A write of an encrypted field while the configured keys do not decrypt the canary."""

    def __init__(self, message: str = WRITE_REFUSED_MESSAGE) -> None:
        super().__init__(message)


class SecretDecryptionError(Exception):
    """Raised when a stored value does not decrypt under any configured key."""

    def __init__(self, message: str = DECRYPT_FAILED_MESSAGE) -> None:
        super().__init__(message)


def configured_keys() -> list[str]:
    """The configured keys as a list, whether the setting is a list or one comma string."""
    raw: Any = getattr(settings, KEY_SETTING, None)
    if isinstance(raw, str):
        raw = [part for part in raw.split(",")]
    keys = [str(key).strip() for key in (raw or []) if str(key).strip()]
    if not keys:
        raise ImproperlyConfigured(MISSING_KEY_MESSAGE)
    return keys


@cache
def crypter() -> MultiFernet:
    """A MultiFernet over the configured keys: the first encrypts, all decrypt."""
    fernets = []
    for position, key in enumerate(configured_keys(), start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(MALFORMED_KEY_MESSAGE.format(position=position)) from exc
    return MultiFernet(fernets)


@cache
def primary_crypter() -> Fernet:
    """The first key alone, to prove that rotation left nothing behind."""
    return Fernet(configured_keys()[0])


def encrypt(plaintext: str) -> str:
    """Encrypt text with the first configured key; returns the Fernet token as text."""
    return crypter().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a Fernet token, raising ``SecretDecryptionError`` rather than guessing."""
    try:
        return crypter().decrypt(token.encode("utf-8")).decode("utf-8")
    except (InvalidToken, ValueError, TypeError) as exc:
        raise SecretDecryptionError() from exc


_write_checks: dict[str, bool] = {}


def ensure_writable(canary_decrypts: Callable[[], bool]) -> None:
    """Refuse (``EncryptionKeyMismatchError``) while the keys cannot decrypt the canary.

    A process started without ``manage.py check`` (plain gunicorn) under a wrong key must
    not encrypt new secrets under it: the write path fails closed, not only start-up. A
    passing check is remembered for the configured keys; a failing one is retried each time.
    """
    keys = ",".join(configured_keys())
    if _write_checks.get(keys):
        return
    if not canary_decrypts():
        raise EncryptionKeyMismatchError()
    _write_checks[keys] = True


def reset_crypters() -> None:
    """Forget cached crypters (and write checks) so the next call reads the setting again."""
    crypter.cache_clear()
    primary_crypter.cache_clear()
    _write_checks.clear()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting == KEY_SETTING:
        reset_crypters()
