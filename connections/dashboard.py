"""The connections' columns on the admin index dashboard: sites that need attention, and
the calls Keyport made to Mindbody today and over 30 days with the organization's keys."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse

from apps_registry.plugins import DashboardMetric
from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.selectors import BUDGET_DAYS, calls_per_organization

ATTENTION = [ConnectionStatus.FAILING, ConnectionStatus.TOKEN_EXPIRED, ConnectionStatus.KEY_REFUSED]


def failing_sites(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    """Mindbody sites failing, with a lapsed token or a refused key, per organization."""
    rows = (
        MindbodySiteConnection.objects.filter(organization_id__in=org_ids, status__in=ATTENTION)
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    return dict(rows)


def failing_sites_link(organization_id: int) -> str:
    statuses = ",".join(str(status) for status in ATTENTION)
    url = reverse("admin:connections_mindbodysiteconnection_changelist")
    return f"{url}?organization__id__exact={organization_id}&status__in={statuses}"


FAILING_SITES_METRIC = DashboardMetric(
    "failing_sites", "Failing Mindbody sites", failing_sites, order=50, link=failing_sites_link
)


def calls_today(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    today = now.astimezone(dt.UTC).date()
    return calls_per_organization(org_ids, today, today)


def calls_30_days(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    today = now.astimezone(dt.UTC).date()
    return calls_per_organization(org_ids, today - dt.timedelta(days=BUDGET_DAYS - 1), today)


def sites_link(organization_id: int) -> str:
    """The organization's sites, each page showing its key's calls."""
    url = reverse("admin:connections_mindbodysiteconnection_changelist")
    return f"{url}?organization__id__exact={organization_id}"


CALLS_TODAY_METRIC = DashboardMetric(
    "mindbody_calls_today",
    "Mindbody calls today",
    calls_today,
    order=60,
    link=sites_link,
    attention=False,
)
CALLS_30_DAYS_METRIC = DashboardMetric(
    "mindbody_calls_30_days",
    f"Mindbody calls, last {BUDGET_DAYS} days",
    calls_30_days,
    order=70,
    link=sites_link,
    attention=False,
)
