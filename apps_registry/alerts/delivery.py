"""Deliver one claimed batch: lock its rows, send the digest, record who got what.

The rows stay locked (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL) while the mail
goes out, so a redelivered copy of the same task finds nothing to send. After each message
the recipient is added to the rows' ``recipients``; a retry after a partial failure sends
only what is still owed. SMTP errors never escape: the outcome tells the task to retry.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import transaction

from apps_registry.alerts.digest import AlertRow, DigestPlan, plan_digest
from apps_registry.models import ExpiryAlert, ExpiryAlertStatus, Organization
from apps_registry.models.organizations import AppContacts

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
NO_RECIPIENTS_ERROR = (
    "No recipients: add alert recipients to the organization or contact emails to the app."
)
ERROR_MAX_LENGTH = 1000


class Delivery(enum.StrEnum):
    NOTHING = "nothing"  # no pending row with this claim (already sent, or taken over)
    SENT = "sent"
    RETRY = "retry"  # transient failure, rows stay pending for the task's retry
    FAILED = "failed"  # out of attempts (or nobody to send to): the next scan tries again


@dataclass(frozen=True)
class DeliveryOutcome:
    status: Delivery
    alerts: int = 0
    messages: int = 0
    error: str = ""


def _locked_rows(organization_id: int, claim: str) -> list[ExpiryAlert]:
    return list(
        ExpiryAlert.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            claim=claim,
            status=ExpiryAlertStatus.PENDING,
            api_key__application__organization_id=organization_id,
        )
        .select_related("api_key__application")
        .only(
            "id",
            "api_key_id",
            "expires_at",
            "recipients",
            "attempts",
            "status",
            "api_key__prefix",
            "api_key__label",
            "api_key__last_four",
            "api_key__application_id",
            "api_key__application__name",
            "api_key__application__contact_emails",
            "api_key__application__credential_origin",
        )
        .order_by("pk")
    )


def as_alert_row(alert: ExpiryAlert) -> AlertRow:
    application = alert.api_key.application
    return AlertRow(
        alert_id=alert.pk,
        api_key_id=alert.api_key_id,
        application_id=application.pk,
        application_name=application.name,
        contact_emails=list(application.contact_emails or []),
        prefix=alert.api_key.prefix,
        expires_at=alert.expires_at,
        delivered_to=frozenset(alert.recipients or []),
        issued_by_zenoti=application.issued_by_zenoti,
        label=alert.api_key.label,
        last_four=alert.api_key.last_four,
    )


def _send(plan: DigestPlan) -> tuple[dict[int, set[str]], str]:
    """Send message by message; returns who received which alert ids, and the error if any."""
    delivered: dict[int, set[str]] = defaultdict(set)
    if not plan.messages:
        return delivered, ""
    try:
        with get_connection(fail_silently=False) as connection:
            for planned in plan.messages:
                connection.send_messages([planned.message])
                for line in planned.lines:
                    for alert_id in line.alert_ids:
                        delivered[alert_id].add(planned.recipient)
    except TRANSIENT_ERRORS as exc:
        return delivered, f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
    return delivered, ""


def _record(
    alerts: list[ExpiryAlert],
    delivered: dict[int, set[str]],
    *,
    error: str,
    final_attempt: bool,
    now: dt.datetime,
) -> Delivery:
    status = Delivery.SENT if not error else Delivery.FAILED if final_attempt else Delivery.RETRY
    for alert in alerts:
        alert.recipients = sorted(set(alert.recipients or []) | delivered.get(alert.pk, set()))
        alert.attempts += 1
        alert.error = error
        if status is Delivery.SENT:
            alert.status, alert.sent_at = ExpiryAlertStatus.SENT, now
        elif status is Delivery.FAILED:
            alert.status = ExpiryAlertStatus.FAILED
        # Field rules (e.g. valid recipient addresses); the FK and uniqueness are unchanged.
        alert.full_clean(
            exclude=["api_key", "threshold_days", "expires_at"],
            validate_unique=False,
            validate_constraints=False,
        )
    fields = ["recipients", "attempts", "error", "status", "sent_at"]
    ExpiryAlert.objects.bulk_update(alerts, fields)
    return status


def expiry_alerts_deliver(
    *, organization_id: int, claim: str, now: dt.datetime, final_attempt: bool
) -> DeliveryOutcome:
    """Send the digest for the rows ``claim`` owns in one organization, once."""
    with transaction.atomic():
        alerts = _locked_rows(organization_id, claim)
        if not alerts:
            return DeliveryOutcome(status=Delivery.NOTHING)
        organization = Organization.objects.only("name", "alert_recipients", "app_contacts").get(
            pk=organization_id
        )
        plan = plan_digest(
            organization_name=organization.name,
            org_recipients=list(organization.alert_recipients or []),
            rows=[as_alert_row(alert) for alert in alerts],
            now=now,
            contacts_external=organization.app_contacts == AppContacts.EXTERNAL,
        )
        if not plan.audience:
            status = _record(alerts, {}, error=NO_RECIPIENTS_ERROR, final_attempt=True, now=now)
            return DeliveryOutcome(status=status, alerts=len(alerts), error=NO_RECIPIENTS_ERROR)
        delivered, error = _send(plan)
        status = _record(alerts, delivered, error=error, final_attempt=final_attempt, now=now)
    sent = len({r for recipients in delivered.values() for r in recipients})
    logger.info(
        "Expiry digest for organization %s: %s alerts, %s messages, %s.",
        organization_id,
        len(alerts),
        sent,
        status.value,
    )
    return DeliveryOutcome(status=status, alerts=len(alerts), messages=sent, error=error)
