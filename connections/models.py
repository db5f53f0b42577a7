"""Mindbody site connections: API key, site ID and staff token, all but the site ID encrypted.

The staff member's password never gets here: it is used once to issue a token and dropped.
Names follow docs/architecture.md because the export and the dashboard rely on them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps_registry.fields import StrictEncryptedCharField, StrictEncryptedTextField
from apps_registry.models.name_errors import DuplicateNameOnField
from apps_registry.validators import has_control_character, validate_plain_text

SANDBOX_SITE_ID = -99
MAX_TOKEN_RENEWALS = 7
SITE_ID_INVALID_MESSAGE = "Enter -99 for the shared sandbox or the positive ID of a live site."
API_KEY_BLANK_MESSAGE = "Paste the API key from the Mindbody developer portal."
API_KEY_WHITESPACE_MESSAGE = "The API key must not contain spaces or line breaks; paste it again."
DUPLICATE_NAME_MESSAGE = "This organization already has a Mindbody connection with this name."


def validate_site_id(value: int) -> None:
    """``-99`` is Mindbody's shared sandbox; every live site has a positive ID."""
    if value != SANDBOX_SITE_ID and value <= 0:
        raise ValidationError(SITE_ID_INVALID_MESSAGE, code="site_id")


def validate_api_key(value: str) -> None:
    """A pasted key with a stray space or newline would fail at Mindbody with a vague 401."""
    if not value:
        raise ValidationError(API_KEY_BLANK_MESSAGE, code="blank")
    if has_control_character(value) or any(character.isspace() for character in value):
        raise ValidationError(API_KEY_WHITESPACE_MESSAGE, code="whitespace")


class ConnectionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVATION_REQUIRED = "activation_required", "Activation required"
    ACTIVE = "active", "Active"
    FAILING = "failing", "Failing"
    TOKEN_EXPIRED = "token_expired", "Token expired"
    KEY_REFUSED = "key_refused", "API key refused"


class MindbodySiteConnection(DuplicateNameOnField, models.Model):
    """One organization's access to one Mindbody site, kept alive by renewing its token."""

    duplicate_name_message = DUPLICATE_NAME_MESSAGE

    organization = models.ForeignKey(
        "apps_registry.Organization", on_delete=models.PROTECT, related_name="mindbody_connections"
    )
    name = models.CharField(max_length=200, validators=[validate_plain_text])
    site_id = models.IntegerField(
        "site ID", validators=[validate_site_id], help_text="-99 is the shared sandbox."
    )
    api_key = StrictEncryptedCharField("API key", max_length=200, validators=[validate_api_key])
    api_key_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False, help_text="SHA-256 of the key."
    )
    staff_user_token = StrictEncryptedTextField(blank=True, default="", editable=False)
    staff_username = models.CharField(
        max_length=150, blank=True, editable=False, help_text="Whose token this is."
    )
    token_user_type = models.CharField(
        "token user type",
        max_length=20,
        blank=True,
        editable=False,
        help_text="Staff, Owner, Admin",
    )
    token_user_id = models.BigIntegerField("token user ID", null=True, blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    token_renewals = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(
        max_length=30,
        choices=ConnectionStatus.choices,
        default=ConnectionStatus.PENDING,
        db_index=True,
        editable=False,
    )
    last_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    site_checked_at = models.DateTimeField(
        "key and site checked", null=True, blank=True, editable=False
    )
    location_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    activation_code = models.CharField(max_length=200, blank=True, editable=False)
    activation_link = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "Mindbody site connection"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="mindbody_name_unique_per_org",
                violation_error_message=DUPLICATE_NAME_MESSAGE,
            ),
            models.CheckConstraint(
                condition=models.Q(site_id=SANDBOX_SITE_ID) | models.Q(site_id__gt=0),
                name="mindbody_site_id_sandbox_or_positive",
                violation_error_message=SITE_ID_INVALID_MESSAGE,
            ),
            models.CheckConstraint(
                condition=models.Q(token_renewals__lte=MAX_TOKEN_RENEWALS),
                name="mindbody_token_renewals_at_most_7",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (site {self.site_id})"

    @property
    def is_sandbox(self) -> bool:
        return self.site_id == SANDBOX_SITE_ID

    @property
    def has_token(self) -> bool:
        return bool(self.staff_user_token) and self.token_expires_at is not None

    def token_lapsed(self, now: dt.datetime) -> bool:
        """True once the token's expiry has passed (Mindbody refuses it from then on)."""
        return self.token_expires_at is not None and self.token_expires_at <= now

    def renewals_left(self) -> int:
        return max(0, MAX_TOKEN_RENEWALS - self.token_renewals)


class MindbodyCallDay(models.Model):
    """Calls Keyport sent with one API key on one UTC day (Mindbody bills and limits per key).

    The key is named by its SHA-256 digest only. ``budget_alerted_at`` is set once, by the
    write that first finds the day's count at 80 % of ``MINDBODY_DAILY_CALL_BUDGET``.
    """

    key_digest = models.CharField(max_length=64)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    budget_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Mindbody calls per day"
        verbose_name_plural = "Mindbody calls per day"
        constraints = [
            models.UniqueConstraint(fields=["key_digest", "day"], name="mindbody_calls_key_day"),
        ]

    def __str__(self) -> str:
        return f"…{self.key_digest[-6:]} on {self.day:%Y-%m-%d}: {self.calls}"
