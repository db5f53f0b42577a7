"""Encrypted model fields that refuse to pass ciphertext off as a secret.

They subclass django-encrypted-model-fields so the column format stays the library's
(a Fernet token in a text column), but decryption goes through ``apps_registry.crypto``,
which raises ``SecretDecryptionError`` on a wrong key instead of returning the token.
Writes fail closed: while the configured keys cannot decrypt the encryption canary, saving
any encrypted field raises ``EncryptionKeyMismatchError`` and nothing is written.

``last_four`` is the most of such a secret any page may show (the one definition of it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from encrypted_model_fields.fields import EncryptedCharField, EncryptedTextField

from apps_registry import crypto

SERIALIZED_MARK = "keyport-encrypted:"
CANARY_MODEL = "apps_registry.EncryptionCanary"


def _canary_decrypts() -> bool:
    """True when there is no canary yet (nothing encrypted) or it decrypts to its text."""
    from apps_registry.models.canary import CANARY_PLAINTEXT, EncryptionCanary

    try:
        canary = EncryptionCanary.objects.order_by("pk").first()
    except crypto.SecretDecryptionError:
        return False
    return canary is None or canary.value == CANARY_PLAINTEXT


def last_four(secret: str) -> str:
    """``…`` and the last four characters; only ``…`` for a secret of eight characters or
    fewer (four would be half of it)."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"


class StrictEncryptedMixin:
    """Decrypt strictly on read, encrypt with the first key on write.

    Serialization (``dumpdata``) writes ``keyport-encrypted:<Fernet token>`` so backups
    never hold plaintext; ``loaddata`` turns that mark back into the secret.
    """

    def to_python(self, value: Any) -> Any:
        # Values in Python are plaintext already (forms, full_clean); only a serialized,
        # marked token (loaddata) is decrypted, strictly.
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if isinstance(value, str) and value.startswith(SERIALIZED_MARK):
            return crypto.decrypt(value.removeprefix(SERIALIZED_MARK))
        return models.Field.to_python(self, value)  # type: ignore[arg-type]

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)  # type: ignore[attr-defined]
        return "" if value is None else SERIALIZED_MARK + crypto.encrypt(str(value))

    def from_db_value(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None:
            return None
        if self.model._meta.label != CANARY_MODEL:  # type: ignore[attr-defined]
            crypto.ensure_writable(_canary_decrypts)
        return crypto.encrypt(str(value))


class StrictEncryptedCharField(StrictEncryptedMixin, EncryptedCharField):
    """A short secret (app secret, API key, Mindbody key or token), encrypted at rest."""


class StrictEncryptedTextField(StrictEncryptedMixin, EncryptedTextField):
    """A long secret, encrypted at rest."""
