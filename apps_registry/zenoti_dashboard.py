"""The dashboard's column for Zenoti-issued keys: how many Zenoti refuses right now.

Its own module (plugged in from ``apps.py``) so the count, the filter it links to and the
check result they share stay together; one aggregate query for any number of organizations.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse

from apps_registry.models import ApiKey
from apps_registry.models.applications import CredentialOrigin
from apps_registry.models.keys import ZenotiCheckResult
from apps_registry.plugins import DashboardMetric

KEYS_LIST = "admin:apps_registry_apikey_changelist"


def failing_zenoti_keys(org_ids: list[int], now: dt.datetime) -> dict[int, int]:
    """Usable Zenoti-issued keys whose last live check Zenoti refused, per organization."""
    rows = (
        ApiKey.objects.usable(now)
        .filter(
            application__organization_id__in=org_ids,
            application__credential_origin=CredentialOrigin.RECORDED,
            zenoti_result=ZenotiCheckResult.REFUSED,
        )
        .values_list("application__organization_id")
        .annotate(n=Count("pk"))
        .values_list("application__organization_id", "n")
    )
    return dict(rows)


def _link(organization_id: int) -> str:
    query = f"organization={organization_id}&status=usable&zenoti=refused"
    return f"{reverse(KEYS_LIST)}?{query}"


FAILING_ZENOTI_KEYS_METRIC = DashboardMetric(
    "failing_zenoti_keys", "Keys Zenoti refuses", failing_zenoti_keys, order=45, link=_link
)
