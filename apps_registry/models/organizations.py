"""Organizations own applications and decide key lifetimes and who hears about expiry."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps_registry.validators import validate_email_list, validate_lead_times, validate_plain_text

KEY_LIFETIME_MAX_DAYS = 3650
ROTATION_GRACE_MAX_DAYS = 90
KEY_LIFETIME_RANGE = (
    f"API key lifetime must be a whole number of days from 1 to {KEY_LIFETIME_MAX_DAYS} "
    "(ten years)."
)
ROTATION_GRACE_RANGE = (
    f"Rotation grace must be a whole number of days from 0 to {ROTATION_GRACE_MAX_DAYS}."
)
NAME_TAKEN = "This name cannot be used. Choose another one."
SLUG_TAKEN = "This slug cannot be used. Choose another one."


def default_expiry_alert_days() -> list[int]:
    """Zenoti-like lead times: a month, a week and a day before expiry."""
    return [30, 7, 1]


class AppContacts(models.TextChoices):
    """Who the apps' contact emails are, which decides whether their alerts carry admin links."""

    MEMBERS = "members", "Members of this organization (alerts link to Keyport's admin)"
    EXTERNAL = "external", "Outside the organization (alerts carry the facts, no admin links)"


class Organization(models.Model):
    """A tenant: its members see only its applications, keys and connections."""

    # Names are unique across tenants; the message does not say that another one holds it.
    name = models.CharField(
        max_length=200,
        unique=True,
        validators=[validate_plain_text],
        error_messages={"unique": NAME_TAKEN},
    )
    slug = models.SlugField(max_length=80, unique=True, error_messages={"unique": SLUG_TAKEN})
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organizations"
    )
    api_key_lifetime_days = models.PositiveIntegerField(
        default=365,
        validators=[
            MinValueValidator(1, KEY_LIFETIME_RANGE),
            MaxValueValidator(KEY_LIFETIME_MAX_DAYS, KEY_LIFETIME_RANGE),
        ],
        help_text="How long a newly generated API key stays valid (1 to 3650 days).",
    )
    rotation_grace_days = models.PositiveIntegerField(
        default=7,
        validators=[MaxValueValidator(ROTATION_GRACE_MAX_DAYS, ROTATION_GRACE_RANGE)],
        help_text="How long the old key keeps working after a rotation (0 to 90 days).",
    )
    expiry_alert_days = models.JSONField(
        default=default_expiry_alert_days,
        validators=[validate_lead_times],
        help_text="Days before expiry at which an alert is sent, for example [30, 7, 1].",
    )
    alert_recipients = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_email_list],
        help_text="Email addresses that receive every expiry alert of this organization.",
    )
    alerts_enabled = models.BooleanField(default=True)
    app_contacts = models.CharField(
        "App contacts are",
        max_length=10,
        choices=AppContacts.choices,
        default=AppContacts.MEMBERS,
        help_text="Developers or agencies outside the organization cannot open Keyport's admin, "
        "so their expiry emails leave the links out.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(api_key_lifetime_days__gte=1), name="org_key_lifetime_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
