"""The scan service: record due alerts as ``pending`` rows owned by one claim token.

Rows are inserted with ``ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE`` on SQLite) under
the unique (key, lead time, expiry) constraint, tagged with a fresh claim token. When two
scans race, the loser's insert waits for the winner's commit and then does nothing, so
only the winner's token is on the rows and only the winner's delivery sends them.
Failed rows (and pending rows whose delivery vanished) are re-claimed with row locks that
skip rows a delivery is sending right now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, QuerySet

from apps_registry.actors import Actor
from apps_registry.alerts.due import DueKey, find_due
from apps_registry.audit import audit_record
from apps_registry.models import ExpiryAlert, ExpiryAlertStatus, Organization
from apps_registry.models.keys import alert_eligible_q

# A pending row older than this lost its delivery task (broker wiped, worker gone for
# good): the daily scan takes it over. Far above the longest retry chain (see tasks.py).
STALE_CLAIM_AFTER = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Batch:
    """The alerts of one organization that one delivery owns: what a send task receives."""

    organization_id: int
    claim: str


@dataclass
class ScanReport:
    now: dt.datetime
    dry_run: bool
    due: list[DueKey]
    retry: list[DueKey]
    created: int = 0
    reclaimed: int = 0
    batches: list[Batch] = field(default_factory=list)


def new_claim() -> str:
    return uuid.uuid4().hex


def retryable_alerts(*, now: dt.datetime) -> QuerySet[ExpiryAlert]:
    """Failed rows and abandoned pending rows of keys that still deserve the alert."""
    abandoned = Q(status=ExpiryAlertStatus.PENDING, claimed_at__lt=now - STALE_CLAIM_AFTER)
    return ExpiryAlert.objects.filter(Q(status=ExpiryAlertStatus.FAILED) | abandoned).filter(
        alert_eligible_q("api_key"), expires_at=F("api_key__expires_at")
    )


def _as_due_keys(alerts: QuerySet[ExpiryAlert]) -> list[DueKey]:
    """Group retryable rows per key, in the same shape as newly due keys (dry-run table)."""
    grouped: dict[int, DueKey] = {}
    rows = alerts.order_by("expires_at").values_list(
        "api_key_id",
        "api_key__prefix",
        "api_key__application_id",
        "api_key__application__name",
        "api_key__application__organization_id",
        "expires_at",
        "threshold_days",
    )
    for key_id, prefix, app_id, app_name, org_id, expires_at, threshold in rows:
        previous = grouped.get(key_id)
        thresholds = (*previous.thresholds, threshold) if previous else (threshold,)
        grouped[key_id] = DueKey(
            organization_id=org_id,
            application_id=app_id,
            application_name=app_name,
            api_key_id=key_id,
            prefix=prefix,
            expires_at=expires_at,
            thresholds=tuple(sorted(thresholds, reverse=True)),
        )
    return list(grouped.values())


def _reclaim(alerts: QuerySet[ExpiryAlert], *, claim: str, now: dt.datetime) -> int:
    """Lock what nobody else holds (PostgreSQL skips locked rows), then hand it to ``claim``."""
    locked = alerts.select_for_update(skip_locked=True, of=("self",)).order_by()
    ids = list(locked.values_list("pk", flat=True))
    if not ids:
        return 0
    return ExpiryAlert.objects.filter(pk__in=ids).update(
        status=ExpiryAlertStatus.PENDING, claim=claim, claimed_at=now
    )


def _batches(claim: str) -> list[Batch]:
    org_ids = (
        ExpiryAlert.objects.filter(claim=claim, status=ExpiryAlertStatus.PENDING)
        .order_by()
        .values_list("api_key__application__organization_id", flat=True)
        .distinct()
    )
    return [Batch(organization_id=org_id, claim=claim) for org_id in sorted(org_ids)]


def _new_rows(due: list[DueKey], *, claim: str, now: dt.datetime) -> list[ExpiryAlert]:
    rows = []
    for key in due:
        for threshold in key.thresholds:
            row = ExpiryAlert(
                api_key_id=key.api_key_id,
                threshold_days=threshold,
                expires_at=key.expires_at,
                claim=claim,
                claimed_at=now,
                created_at=now,
            )
            # The unique constraint is enforced by the INSERT itself (ignore_conflicts).
            row.full_clean(exclude=["api_key"], validate_unique=False, validate_constraints=False)
            rows.append(row)
    return rows


@transaction.atomic
def expiry_alerts_scan(*, now: dt.datetime, dry_run: bool = False) -> ScanReport:
    """Find due alerts and claim them (plus failed ones) for one delivery per organization.

    With ``dry_run`` nothing is written; the report says what a real run would send.
    """
    due = find_due(now=now)
    retryable = retryable_alerts(now=now)
    report = ScanReport(now=now, dry_run=dry_run, due=due, retry=_as_due_keys(retryable))
    if dry_run:
        return report
    claim = new_claim()
    ExpiryAlert.objects.bulk_create(_new_rows(due, claim=claim, now=now), ignore_conflicts=True)
    # Rows a concurrent scan inserted first carry its token, not ours: count only ours.
    report.created = ExpiryAlert.objects.filter(claim=claim).count()
    report.reclaimed = _reclaim(retryable, claim=claim, now=now)
    report.batches = _batches(claim)
    return report


@transaction.atomic
def expiry_alerts_retry(
    *, alerts: QuerySet[ExpiryAlert], actor: Actor, now: dt.datetime
) -> list[Batch]:
    """Re-claim the failed alerts among ``alerts`` for an immediate delivery (admin action)."""
    claim = new_claim()
    if not _reclaim(alerts.filter(status=ExpiryAlertStatus.FAILED), claim=claim, now=now):
        return []
    batches = _batches(claim)
    counts = Counter(
        ExpiryAlert.objects.filter(claim=claim).values_list(
            "api_key__application__organization_id", flat=True
        )
    )
    for organization in Organization.objects.filter(pk__in=counts):
        audit_record(
            actor=actor,
            action="expiry_alert_retry",
            organization=organization,
            details={"alerts": counts[organization.pk], "claim": claim},
        )
    return batches
