"""Celery tasks of the registry: thin, named explicitly, taking ids, calling services."""

from __future__ import annotations

from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps_registry import selectors
from apps_registry.actors import Actor
from apps_registry.alerts.backoff import retry_countdown
from apps_registry.alerts.claims import Batch, expiry_alerts_scan
from apps_registry.alerts.delivery import Delivery, expiry_alerts_deliver

SCAN_TASK = "apps_registry.scan_expiry_alerts"
SEND_TASK = "apps_registry.send_expiry_digest"
ZENOTI_DAILY_TASK = "apps_registry.verify_zenoti_keys"
ZENOTI_ACCOUNT_TASK = "apps_registry.verify_zenoti_account_keys"
# One Zenoti organization's keys at its rate limit (50 a minute by default) fit ~2,500 keys
# in this time; both limits stay under the broker's visibility timeout (no redelivery).
ZENOTI_ACCOUNT_SOFT_LIMIT = 3000
ZENOTI_ACCOUNT_HARD_LIMIT = 3300


class DigestDeliveryError(Exception):
    """An SMTP failure the send task retries (message only, never a secret)."""


def enqueue_deliveries(batches: list[Batch]) -> None:
    """One send task per organization, queued only once the claim is committed."""
    for batch in batches:
        transaction.on_commit(
            partial(
                send_expiry_digest.delay,
                organization_id=batch.organization_id,
                claim=batch.claim,
            )
        )


@shared_task(name=SCAN_TASK)
def scan_expiry_alerts() -> int:
    """Daily beat entry: claim what is due, then queue one digest per organization."""
    report = expiry_alerts_scan(now=timezone.now())
    enqueue_deliveries(report.batches)
    return len(report.batches)


@shared_task(bind=True, name=SEND_TASK)
def send_expiry_digest(self: Any, organization_id: int, claim: str) -> str:
    """Send one organization's digest; on SMTP failure retry with backoff, then give up
    (rows become ``failed`` and the next scan picks them up again)."""
    max_retries = settings.EXPIRY_ALERT_MAX_RETRIES
    outcome = expiry_alerts_deliver(
        organization_id=organization_id,
        claim=claim,
        now=timezone.now(),
        final_attempt=self.request.retries >= max_retries,
    )
    if outcome.status is Delivery.RETRY:
        countdown = retry_countdown(
            retries=self.request.retries,
            base_seconds=settings.EXPIRY_ALERT_RETRY_BASE_SECONDS,
            visibility_timeout=settings.CELERY_BROKER_VISIBILITY_TIMEOUT,
        )
        raise self.retry(
            countdown=countdown, max_retries=max_retries, exc=DigestDeliveryError(outcome.error)
        )
    return outcome.status.value


@shared_task(name=ZENOTI_DAILY_TASK)
def verify_zenoti_keys() -> int:
    """Daily beat entry: one check task per Zenoti organization (each under its rate limit)."""
    groups = selectors.zenoti_keys_by_account(now=timezone.now())
    for key_ids in groups.values():
        verify_zenoti_account_keys.delay(key_ids=key_ids)
    return len(groups)


@shared_task(
    name=ZENOTI_ACCOUNT_TASK,
    soft_time_limit=ZENOTI_ACCOUNT_SOFT_LIMIT,
    time_limit=ZENOTI_ACCOUNT_HARD_LIMIT,
)
def verify_zenoti_account_keys(key_ids: list[int]) -> dict[str, int]:
    """Check these keys with Zenoti; the first refusal after a pass emails the organization."""
    from apps_registry.services import zenoti_keys_check_all

    report = zenoti_keys_check_all(actor=Actor.system(), key_ids=key_ids)
    return {"keys": len(report.checks), "failed": len(report.failures)}
