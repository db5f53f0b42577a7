"""API keys: encrypted, looked up by digest, with a status derived from dates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps_registry.fields import StrictEncryptedCharField

EXPIRING_WITHIN_DAYS = 30


class ApiKeyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRING = "expiring", "Expiring"
    IN_GRACE = "in_grace", "In grace"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self, now: dt.datetime | None = None) -> ApiKeyQuerySet:
        """Keys that still authenticate: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiKey(models.Model):
    """One API key of an application; the plaintext is shown once, then only the prefix."""

    application = models.ForeignKey(
        "apps_registry.Application", on_delete=models.CASCADE, related_name="api_keys"
    )
    prefix = models.CharField(max_length=20, unique=True)
    key = StrictEncryptedCharField(max_length=500)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        "apps_registry.VerifierToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The verifier token that last presented this key.",
    )
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.prefix

    def status(self, now: dt.datetime | None = None) -> ApiKeyStatus:
        """Revoked beats expired beats grace beats expiring; see DESIGN.md."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return ApiKeyStatus.REVOKED
        if self.expires_at <= now:
            return ApiKeyStatus.EXPIRED
        if self.replaced_by_id is not None:
            return ApiKeyStatus.IN_GRACE
        if self.expires_at - now <= dt.timedelta(days=EXPIRING_WITHIN_DAYS):
            return ApiKeyStatus.EXPIRING
        return ApiKeyStatus.ACTIVE

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole days until expiry (negative once expired)."""
        return (self.expires_at - (now or timezone.now())).days
