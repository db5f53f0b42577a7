"""The connections' column on the admin index dashboard: sites that need attention."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse

from apps_registry.plugins import DashboardMetric
from connections.models import ConnectionStatus, MindbodySiteConnection

ATTENTION = [ConnectionStatus.FAILING, ConnectionStatus.TOKEN_EXPIRED]


def failing_sites(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    """Mindbody sites failing or with a lapsed token, per organization (one query)."""
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
