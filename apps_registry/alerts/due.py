"""Which (key, lead time) alerts are due: the level-triggered rule and its batched queries.

A lead time L is due once ``expires_at - L days`` has passed and no ``ExpiryAlert`` row
exists for (key, L, expires_at); an expired key is also due once as "expired" (threshold 0).
Because the rule compares the state, not the time since the last run, a missed run, a
doubled run or a key created days before expiry all come out right.

The queries are a fixed handful whatever the number of keys: organizations (1), candidate
keys in their organization's window (1, streamed), existing alert rows for them (1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps_registry.models import ApiKey, ExpiryAlert
from apps_registry.models.alerts import EXPIRED_THRESHOLD
from apps_registry.models.organizations import Organization

STREAM_CHUNK = 2000


@dataclass(frozen=True)
class DueKey:
    """One key with the thresholds it crossed but was never told about."""

    organization_id: int
    application_id: int
    application_name: str
    api_key_id: int
    prefix: str
    expires_at: dt.datetime
    thresholds: tuple[int, ...]


def crossed_thresholds(
    *, expires_at: dt.datetime, lead_days: Iterable[int], now: dt.datetime
) -> set[int]:
    """Lead times whose moment has passed, plus ``EXPIRED_THRESHOLD`` once the key expired."""
    crossed = {lead for lead in lead_days if expires_at - dt.timedelta(days=lead) <= now}
    if expires_at <= now:
        crossed.add(EXPIRED_THRESHOLD)
    return crossed


def lead_days_by_organization() -> dict[int, list[int]]:
    """Lead times of every organization with alerts enabled (one query)."""
    rows = Organization.objects.filter(alerts_enabled=True).values_list("id", "expiry_alert_days")
    return {org_id: [int(day) for day in days or []] for org_id, days in rows}


def candidate_keys(*, leads: dict[int, list[int]], now: dt.datetime) -> QuerySet[ApiKey]:
    """Eligible keys inside their organization's alert window and not yet told "expired".

    Organizations are grouped by their largest lead time so the window is one query with
    a few OR-ed ranges, however many organizations there are.
    """
    by_window: dict[int, list[int]] = defaultdict(list)
    for org_id, days in leads.items():
        by_window[max(days, default=0)].append(org_id)
    window = Q(pk__in=[])
    for largest, org_ids in by_window.items():
        horizon = now + dt.timedelta(days=largest)
        window |= Q(application__organization_id__in=org_ids, expires_at__lte=horizon)
    told_expired = ExpiryAlert.objects.filter(
        api_key=OuterRef("pk"), threshold_days=EXPIRED_THRESHOLD, expires_at=OuterRef("expires_at")
    )
    return ApiKey.objects.alert_eligible().filter(window).exclude(Exists(told_expired))


def _told(candidates: QuerySet[ApiKey]) -> dict[tuple[int, dt.datetime], set[int]]:
    told: dict[tuple[int, dt.datetime], set[int]] = defaultdict(set)
    rows = ExpiryAlert.objects.filter(api_key__in=candidates.values("pk")).values_list(
        "api_key_id", "expires_at", "threshold_days"
    )
    for key_id, expires_at, threshold in rows.iterator(chunk_size=STREAM_CHUNK):
        told[(key_id, expires_at)].add(threshold)
    return told


def find_due(*, now: dt.datetime) -> list[DueKey]:
    """Every key with at least one due threshold, oldest expiry first."""
    leads = lead_days_by_organization()
    if not leads:
        return []
    candidates = candidate_keys(leads=leads, now=now)
    told = _told(candidates)
    fields = ("id", "prefix", "expires_at", "application_id", "application__name")
    # A total order, so two racing scans insert rows in the same order (no deadlock).
    rows = candidates.values_list(*fields, "application__organization_id").order_by(
        "expires_at", "pk"
    )
    due: list[DueKey] = []
    for key_id, prefix, expires_at, app_id, app_name, org_id in rows.iterator(STREAM_CHUNK):
        crossed = crossed_thresholds(expires_at=expires_at, lead_days=leads[org_id], now=now)
        missing = crossed - told.get((key_id, expires_at), set())
        if missing:
            due.append(
                DueKey(
                    organization_id=org_id,
                    application_id=app_id,
                    application_name=app_name,
                    api_key_id=key_id,
                    prefix=prefix,
                    expires_at=expires_at,
                    thresholds=tuple(sorted(missing, reverse=True)),
                )
            )
    return due


def thresholds_label(thresholds: Sequence[int]) -> str:
    """``30, 7`` or ``expired`` for the dry-run table and the admin."""
    return ", ".join("expired" if t == EXPIRED_THRESHOLD else str(t) for t in thresholds)
