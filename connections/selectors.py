"""Reads of Mindbody connections: tokens due for renewal, sites to verify, calls made."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Sum

from connections.models import ConnectionStatus, MindbodyCallDay, MindbodySiteConnection

RENEW_WITHIN = dt.timedelta(hours=6)


def connections_with_token() -> models.QuerySet[MindbodySiteConnection]:
    """Connections holding a token that is not known to be dead (revocation clears the expiry)."""
    return MindbodySiteConnection.objects.filter(token_expires_at__isnull=False).exclude(
        status=ConnectionStatus.TOKEN_EXPIRED
    )


def connections_due_for_renewal(now: dt.datetime) -> models.QuerySet[MindbodySiteConnection]:
    """Tokens that lapse within ``RENEW_WITHIN`` (or already did): the hourly pass's work."""
    return connections_with_token().filter(token_expires_at__lte=now + RENEW_WITHIN)


def connections_to_verify() -> models.QuerySet[MindbodySiteConnection]:
    """Every connection: key and site for all, the token too where there is a live one."""
    return MindbodySiteConnection.objects.all()


BUDGET_DAYS = 30


def calls_by_day(digest: str, today: dt.date) -> list[tuple[dt.date, int]]:
    """Calls made with one API key on each of the last 30 days, today last (zeros included)."""
    first = today - dt.timedelta(days=BUDGET_DAYS - 1)
    stored = dict(
        MindbodyCallDay.objects.filter(
            key_digest=digest, day__gte=first, day__lte=today
        ).values_list("day", "calls")
    )
    days = [first + dt.timedelta(days=n) for n in range(BUDGET_DAYS)]
    return [(day, stored.get(day, 0)) for day in days]


def calls_per_organization(org_ids: list[int], first: dt.date, last: dt.date) -> dict[int, int]:
    """Calls made from ``first`` to ``last`` with the API keys each organization's sites use
    (two queries; a key shared by several sites of one organization counts once)."""
    pairs = set(
        MindbodySiteConnection.objects.filter(organization_id__in=org_ids)
        .exclude(api_key_digest="")
        .values_list("organization_id", "api_key_digest")
    )
    per_key = dict(
        MindbodyCallDay.objects.filter(
            key_digest__in={digest for _, digest in pairs}, day__gte=first, day__lte=last
        )
        .values_list("key_digest")
        .annotate(total=Sum("calls"))
        .values_list("key_digest", "total")
    )
    totals: dict[int, int] = {}
    for organization_id, digest in pairs:
        totals[organization_id] = totals.get(organization_id, 0) + per_key.get(digest, 0)
    return totals
