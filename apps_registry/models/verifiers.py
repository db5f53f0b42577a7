"""Verifier tokens: what a gateway holds to ask Keyport whether a presented API key is valid.

Only a SHA-256 digest is stored (the token carries 256 random bits, so a fast digest is as
safe as a slow hash and lets the endpoint find the token with one indexed lookup); the
prefix is shown in lists. A token belongs to one organization and sees only its keys.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class VerifierTokenStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    IN_GRACE = "in_grace", "In grace"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class VerifierToken(models.Model):
    """One verifier credential of an organization; the plaintext is shown once."""

    organization = models.ForeignKey(
        "apps_registry.Organization", on_delete=models.PROTECT, related_name="verifier_tokens"
    )
    name = models.CharField(max_length=200, help_text="Who holds it, e.g. 'Booking gateway'.")
    prefix = models.CharField(max_length=20, unique=True)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty for a token that does not expire."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization__name", "-created_at"]
        verbose_name = "verifier token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def status(self, now: dt.datetime | None = None) -> VerifierTokenStatus:
        """Revoked beats expired beats grace, as for API keys."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return VerifierTokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return VerifierTokenStatus.EXPIRED
        if self.replaced_by_id is not None:
            return VerifierTokenStatus.IN_GRACE
        return VerifierTokenStatus.ACTIVE
