"""Organizations own applications and decide key lifetimes and who hears about expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps_registry.validators import validate_email_list, validate_lead_times


def default_expiry_alert_days() -> list[int]:
    """Zenoti-like lead times: a month, a week and a day before expiry."""
    return [30, 7, 1]


class AppContacts(models.TextChoices):
    """Who the apps' contact emails are, which decides whether their alerts carry admin links."""

    MEMBERS = "members", "Members of this organization (alerts link to Keyport's admin)"
    EXTERNAL = "external", "Outside the organization (alerts carry the facts, no admin links)"


class Organization(models.Model):
    """A tenant: its members see only its applications, keys and connections."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organizations"
    )
    api_key_lifetime_days = models.PositiveIntegerField(
        default=365, help_text="How long a newly generated API key stays valid."
    )
    rotation_grace_days = models.PositiveIntegerField(
        default=7, help_text="How long the old key keeps working after a rotation."
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
