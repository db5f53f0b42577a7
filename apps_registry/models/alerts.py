"""Expiry alerts: one row per (key, lead time, expiry) that was (or is being) announced.

The unique constraint is the "never twice" guarantee: whatever scans run, however often,
a (key, lead time, expiry) is written once. ``claim`` marks which delivery owns a row, so
two scans or a redelivered task cannot both send it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from apps_registry.validators import validate_email_list

EXPIRED_THRESHOLD = 0
DUPLICATE_ALERT_MESSAGE = "This alert was already recorded for this key, lead time and expiry."


class ExpiryAlertStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ExpiryAlert(models.Model):
    """An alert that ``api_key`` (expiring at ``expires_at``) crossed ``threshold_days``.

    ``threshold_days`` is 0 for "the key has expired". ``recipients`` lists the addresses
    that received it, so a retry after a partial SMTP failure skips them.
    """

    api_key = models.ForeignKey(
        "apps_registry.ApiKey", on_delete=models.CASCADE, related_name="expiry_alerts"
    )
    threshold_days = models.PositiveSmallIntegerField(
        "lead time (days)", help_text="0 means the key has expired."
    )
    expires_at = models.DateTimeField(help_text="The expiry this alert warned about.")
    status = models.CharField(
        max_length=10,
        choices=ExpiryAlertStatus.choices,
        default=ExpiryAlertStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True, validators=[validate_email_list])
    error = models.TextField(blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    claimed_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "threshold_days", "expires_at"],
                name="expiry_alert_once_per_key_threshold_expiry",
                violation_error_message=DUPLICATE_ALERT_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        lead = "expired" if self.threshold_days == EXPIRED_THRESHOLD else f"{self.threshold_days}d"
        return f"{self.api_key_id}@{lead} ({self.status})"
