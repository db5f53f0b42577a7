"""API keys: encrypted, looked up by digest, with a status derived from dates.

This module is the one home of the rules about a key that other parts ask about: which keys
are usable, which still deserve an expiry alert, the "expiring" window and "days left". The
dashboard, the admin, the alerts, the export and the verification all call these.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps_registry.fields import StrictEncryptedCharField
from apps_registry.validators import validate_plain_text

EXPIRING_WITHIN_DAYS = 30
# Keys are unique across tenants; the message does not say that another one holds it.
API_KEY_TAKEN = "This API key cannot be recorded: Keyport already holds it."
EXPIRING_WINDOW = dt.timedelta(days=EXPIRING_WITHIN_DAYS)
UNREVOKE_MESSAGE = "A revoked key stays revoked; generate a new key instead."


def expiring_horizon(now: dt.datetime) -> dt.datetime:
    """A key expiring at or before this moment is "expiring" (or already expired)."""
    return now + EXPIRING_WINDOW


def days_until(expires_at: dt.datetime, now: dt.datetime) -> int:
    """Days left, rounded up: a new 365-day key has 365, one hour left is 1, expired is <= 0."""
    return math.ceil((expires_at - now) / dt.timedelta(days=1))


def alert_eligible_q(path: str = "") -> Q:
    """Keys that can still need an expiry alert: not revoked, not rotated out, of an active
    app in an organization with alerts enabled (``path`` leads to the key from an alert)."""
    p = f"{path}__" if path else ""
    return Q(
        **{
            f"{p}revoked_at__isnull": True,
            f"{p}replaced_by__isnull": True,
            f"{p}application__is_active": True,
            f"{p}application__organization__alerts_enabled": True,
        }
    )


class ApiKeyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRING = "expiring", "Expiring"
    IN_GRACE = "in_grace", "In grace"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ZenotiCheckResult(models.TextChoices):
    """The last live check of a Zenoti-issued key (``GET /v1/centers``)."""

    PASSED = "passed", "Accepted by Zenoti"
    REFUSED = "refused", "Refused by Zenoti"
    UNREACHABLE = "unreachable", "Could not check"


def key_status(
    *, expires_at: dt.datetime, revoked: bool, replaced: bool, now: dt.datetime
) -> ApiKeyStatus:
    """The one rule for a key's status: revoked beats expired beats grace beats expiring.

    A plain function so the verification path can apply it to a row without building a model.
    """
    if revoked:
        return ApiKeyStatus.REVOKED
    if expires_at <= now:
        return ApiKeyStatus.EXPIRED
    if replaced:
        return ApiKeyStatus.IN_GRACE
    if expires_at <= expiring_horizon(now):
        return ApiKeyStatus.EXPIRING
    return ApiKeyStatus.ACTIVE


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self, now: dt.datetime | None = None) -> ApiKeyQuerySet:
        """Keys that still authenticate: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def expiring(self, now: dt.datetime) -> ApiKeyQuerySet:
        """Usable keys that expire within the expiring window."""
        return self.usable(now).filter(expires_at__lte=expiring_horizon(now))

    def in_status(self, status: str, now: dt.datetime) -> ApiKeyQuerySet:
        """Keys whose ``status(now)`` is ``status``: the same precedence, as a filter."""
        live = Q(revoked_at__isnull=True, expires_at__gt=now)
        rules = {
            ApiKeyStatus.REVOKED: Q(revoked_at__isnull=False),
            ApiKeyStatus.EXPIRED: Q(revoked_at__isnull=True, expires_at__lte=now),
            ApiKeyStatus.IN_GRACE: live & Q(replaced_by__isnull=False),
            ApiKeyStatus.EXPIRING: live
            & Q(replaced_by__isnull=True, expires_at__lte=expiring_horizon(now)),
            ApiKeyStatus.ACTIVE: live
            & Q(replaced_by__isnull=True, expires_at__gt=expiring_horizon(now)),
        }
        return self.filter(rules[ApiKeyStatus(status)])

    def alert_eligible(self) -> ApiKeyQuerySet:
        """Keys that can still need an expiry alert (see ``alert_eligible_q``)."""
        return self.filter(alert_eligible_q())


class ApiKey(models.Model):
    """One API key of an application; the plaintext is shown once, then only the prefix."""

    application = models.ForeignKey(
        "apps_registry.Application", on_delete=models.CASCADE, related_name="api_keys"
    )
    prefix = models.CharField(max_length=20, unique=True)
    label = models.CharField(
        max_length=100,
        blank=True,
        help_text="What the key is for, e.g. “Production booking site”. Not secret.",
    )
    key = StrictEncryptedCharField(max_length=500, validators=[validate_plain_text])
    # The key's last four characters, kept apart from the ciphertext: for a Zenoti-issued key
    # the only thing an operator can match against Zenoti's own screen. Never more than four.
    last_four = models.CharField(max_length=4, blank=True, editable=False)
    key_digest = models.CharField(
        max_length=64, unique=True, error_messages={"unique": API_KEY_TAKEN}
    )
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
    # Live checks of Zenoti-issued keys; empty for keys Keyport issued.
    zenoti_checked_at = models.DateTimeField("Last checked", null=True, blank=True)
    zenoti_result = models.CharField(
        "Check result", max_length=20, blank=True, choices=ZenotiCheckResult.choices
    )
    zenoti_message = models.CharField("Zenoti's message", max_length=500, blank=True)
    zenoti_code = models.CharField("Zenoti's code", max_length=50, blank=True)
    zenoti_passed_at = models.DateTimeField(null=True, blank=True)
    zenoti_alerted_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.prefix

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Revocation is permanent here too, whoever saves (djangorestframework-api-key's rule)."""
        update_fields = kwargs.get("update_fields")
        if (update_fields is None or "revoked_at" in update_fields) and self._unrevokes():
            raise ValidationError({"revoked_at": UNREVOKE_MESSAGE})
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self._unrevokes():
            raise ValidationError({"revoked_at": UNREVOKE_MESSAGE})

    def _unrevokes(self) -> bool:
        """True if saving would clear the ``revoked_at`` of a stored, revoked row."""
        if self.pk is None or self.revoked_at is not None:
            return False
        stored = type(self).objects.filter(pk=self.pk, revoked_at__isnull=False)
        return stored.exists()

    def status(self, now: dt.datetime | None = None) -> ApiKeyStatus:
        """Revoked beats expired beats grace beats expiring; see ``key_status``."""
        return key_status(
            expires_at=self.expires_at,
            revoked=self.revoked_at is not None,
            replaced=self.replaced_by_id is not None,
            now=now or timezone.now(),
        )

    def days_left(self, now: dt.datetime | None = None) -> int | None:
        """Days until expiry, rounded up (zero or less once expired); ``None`` once revoked."""
        if self.revoked_at is not None:
            return None
        return days_until(self.expires_at, now or timezone.now())
