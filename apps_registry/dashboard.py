"""Reads for the admin index dashboard: per-organization counts, what expires soon, a chart.

Every number is one aggregate query whatever the number of organizations or keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps_registry.charts import Bar, bar_chart_svg
from apps_registry.models import ApiKey, Application, ExpiryAlert, ExpiryAlertStatus
from apps_registry.models.applications import CredentialOrigin
from apps_registry.models.keys import ZenotiCheckResult
from apps_registry.plugins import DASHBOARD_METRICS, DashboardMetric, register_dashboard_metric
from apps_registry.selectors import organizations_for_user

EXPIRING_DAYS = 30
CHART_WEEKS = 12
EXPIRING_SOON_ROWS = 20


def _usable(now: dt.datetime) -> Q:
    return Q(revoked_at__isnull=True, expires_at__gt=now)


def _group_by_org(queryset: Any, path: str) -> dict[int, int]:
    return dict(queryset.values_list(path).annotate(n=Count("pk")).values_list(path, "n"))


def _apps(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    return _group_by_org(Application.objects.filter(organization_id__in=org_ids), "organization_id")


def _active_keys(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    keys = ApiKey.objects.filter(_usable(now), application__organization_id__in=org_ids)
    return _group_by_org(keys, "application__organization_id")


def _expiring(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    keys = ApiKey.objects.filter(
        _usable(now),
        application__organization_id__in=org_ids,
        expires_at__lte=now + dt.timedelta(days=EXPIRING_DAYS),
    )
    return _group_by_org(keys, "application__organization_id")


def _failed_alerts(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    alerts = ExpiryAlert.objects.filter(
        status=ExpiryAlertStatus.FAILED, api_key__application__organization_id__in=org_ids
    )
    return _group_by_org(alerts, "api_key__application__organization_id")


def _failing_zenoti_keys(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    """Usable Zenoti-issued keys whose last live check Zenoti refused."""
    keys = ApiKey.objects.filter(
        _usable(now),
        application__organization_id__in=org_ids,
        application__credential_origin=CredentialOrigin.RECORDED,
        zenoti_result=ZenotiCheckResult.REFUSED,
    )
    return _group_by_org(keys, "application__organization_id")


register_dashboard_metric(DashboardMetric("apps", "Apps", _apps, order=10))
register_dashboard_metric(DashboardMetric("active_keys", "Active keys", _active_keys, order=20))
register_dashboard_metric(
    DashboardMetric("expiring", f"Expiring within {EXPIRING_DAYS} days", _expiring, order=30)
)
register_dashboard_metric(
    DashboardMetric("failed_alerts", "Failed alerts", _failed_alerts, order=40)
)
register_dashboard_metric(
    DashboardMetric("failing_zenoti_keys", "Keys Zenoti refuses", _failing_zenoti_keys, order=45)
)


@dataclass(frozen=True)
class OrganizationRow:
    name: str
    values: list[int]


def organization_rows(user: Any, now: dt.datetime) -> tuple[list[str], list[OrganizationRow]]:
    """Column labels and one row of counts per organization the user belongs to."""
    metrics = sorted(DASHBOARD_METRICS.values(), key=lambda metric: metric.order)
    organizations = list(organizations_for_user(user).values_list("pk", "name"))
    ids = [pk for pk, _ in organizations]
    counts = [metric.counts(ids, now) for metric in metrics]
    rows = [OrganizationRow(name, [c.get(pk, 0) for c in counts]) for pk, name in organizations]
    return [metric.label for metric in metrics], rows


def expiring_soon(user: Any, now: dt.datetime) -> list[ApiKey]:
    """The next keys to expire in the user's organizations, soonest first."""
    return list(
        ApiKey.objects.filter(
            _usable(now),
            application__organization__in=organizations_for_user(user),
            expires_at__lte=now + dt.timedelta(days=EXPIRING_DAYS),
        )
        .select_related("application__organization")
        .defer("key", "application__secret")
        .order_by("expires_at")[:EXPIRING_SOON_ROWS]
    )


def weekly_expiry_bars(user: Any, now: dt.datetime) -> list[Bar]:
    """Keys expiring in each of the next 12 weeks (week 1 starts today)."""
    end = now + dt.timedelta(weeks=CHART_WEEKS)
    per_day = (
        ApiKey.objects.filter(
            _usable(now),
            application__organization__in=organizations_for_user(user),
            expires_at__lt=end,
        )
        .annotate(day=TruncDate("expires_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    weeks = [0] * CHART_WEEKS
    for day, count in per_day:
        index = (day - now.date()).days // 7
        if 0 <= index < CHART_WEEKS:
            weeks[index] += count
    return [
        Bar((now + dt.timedelta(weeks=i)).strftime("%b %d"), value) for i, value in enumerate(weeks)
    ]


def dashboard_context(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    labels, rows = organization_rows(user, now)
    bars = weekly_expiry_bars(user, now)
    total = sum(bar.value for bar in bars)
    return {
        "dashboard_labels": labels,
        "dashboard_rows": rows,
        "expiring_soon": expiring_soon(user, now),
        "expiry_bars": bars,
        "expiry_chart": bar_chart_svg(
            bars,
            title="API keys expiring per week, next 12 weeks",
            description=f"{total} keys expire in the next 12 weeks; the table lists each week.",
        ),
        "now": now,
    }
