"""Reads for the admin index dashboard: per-organization counts, what expires soon, a chart.

Every number is one aggregate query whatever the number of organizations or keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from apps_registry.charts import Bar, bar_chart_svg
from apps_registry.models import ApiKey, Application, ExpiryAlert, ExpiryAlertStatus
from apps_registry.models.keys import EXPIRING_WITHIN_DAYS
from apps_registry.plugins import DASHBOARD_METRICS, DashboardMetric, register_dashboard_metric
from apps_registry.selectors import RequestUser, organizations_for_user

CHART_WEEKS = 12
EXPIRING_SOON_ROWS = 20


def _group_by_org(queryset: QuerySet[Any], path: str) -> dict[int, int]:
    return dict(queryset.values_list(path).annotate(n=Count("pk")).values_list(path, "n"))


def _apps(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    return _group_by_org(Application.objects.filter(organization_id__in=org_ids), "organization_id")


def _active_keys(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    keys = ApiKey.objects.usable(now).filter(application__organization_id__in=org_ids)
    return _group_by_org(keys, "application__organization_id")


def _expiring(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    keys = ApiKey.objects.expiring(now).filter(application__organization_id__in=org_ids)
    return _group_by_org(keys, "application__organization_id")


def _failed_alerts(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    alerts = ExpiryAlert.objects.filter(
        status=ExpiryAlertStatus.FAILED, api_key__application__organization_id__in=org_ids
    )
    return _group_by_org(alerts, "api_key__application__organization_id")


def _link(url_name: str, query: str) -> Callable[[int], str]:
    return lambda organization_id: f"{reverse(url_name)}?{query.format(org=organization_id)}"


KEYS_LIST = "admin:apps_registry_apikey_changelist"
register_dashboard_metric(
    DashboardMetric(
        "apps",
        "Apps",
        _apps,
        order=10,
        attention=False,
        link=_link("admin:apps_registry_application_changelist", "organization__id__exact={org}"),
    )
)
register_dashboard_metric(
    DashboardMetric(
        "active_keys",
        "Active keys",
        _active_keys,
        order=20,
        attention=False,
        link=_link(KEYS_LIST, "organization={org}&status=usable"),
    )
)
register_dashboard_metric(
    DashboardMetric(
        "expiring",
        f"Expiring within {EXPIRING_WITHIN_DAYS} days",
        _expiring,
        order=30,
        link=_link(KEYS_LIST, f"organization={{org}}&expires={EXPIRING_WITHIN_DAYS}"),
    )
)
register_dashboard_metric(
    DashboardMetric(
        "failed_alerts",
        "Failed alerts",
        _failed_alerts,
        order=40,
        link=_link(
            "admin:apps_registry_expiryalert_changelist",
            "status__exact=failed&api_key__application__organization__id__exact={org}",
        ),
    )
)


@dataclass(frozen=True)
class Cell:
    value: int
    url: str | None
    attention: bool = False  # shown as needing action


@dataclass(frozen=True)
class OrganizationRow:
    name: str
    values: list[Cell]


def organization_rows(
    user: RequestUser, now: dt.datetime
) -> tuple[list[str], list[OrganizationRow]]:
    """Column labels and one row of counts per organization the user belongs to."""
    metrics = sorted(DASHBOARD_METRICS.values(), key=lambda metric: metric.order)
    organizations = list(organizations_for_user(user).values_list("pk", "name"))
    ids = [pk for pk, _ in organizations]
    counts = [metric.counts(ids, now) for metric in metrics]
    rows = [
        OrganizationRow(
            name,
            [
                Cell(
                    c.get(pk, 0),
                    metric.link(pk) if metric.link else None,
                    bool(c.get(pk, 0)) and metric.attention,
                )
                for metric, c in zip(metrics, counts, strict=True)
            ],
        )
        for pk, name in organizations
    ]
    return [metric.label for metric in metrics], rows


def expiring_soon(user: RequestUser, now: dt.datetime) -> list[ApiKey]:
    """The next keys to expire in the user's organizations, soonest first."""
    return list(
        ApiKey.objects.expiring(now)
        .filter(application__organization__in=organizations_for_user(user))
        .select_related("application__organization")
        .defer("key", "application__secret")
        .order_by("expires_at")[:EXPIRING_SOON_ROWS]
    )


def weekly_expiry_bars(user: RequestUser, now: dt.datetime) -> list[Bar]:
    """Keys expiring in each of the next 12 weeks (week 1 starts today)."""
    end = now + dt.timedelta(weeks=CHART_WEEKS)
    per_day = (
        ApiKey.objects.usable(now)
        .filter(application__organization__in=organizations_for_user(user), expires_at__lt=end)
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


def dashboard_context(user: RequestUser, now: dt.datetime | None = None) -> dict[str, Any]:
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
        "expiring_days": EXPIRING_WITHIN_DAYS,
        "now": now,
    }
