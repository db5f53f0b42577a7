"""A known value encrypted under the configured keys, to detect a wrong key at start-up."""

from __future__ import annotations

from django.db import models

from apps_registry.fields import StrictEncryptedCharField

CANARY_PLAINTEXT = "keyport-encryption-canary"


class EncryptionCanary(models.Model):
    """One row, written on the first migrate; the system check decrypts it every start."""

    value = StrictEncryptedCharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "encryption canary"

    def __str__(self) -> str:
        return "Encryption canary"
