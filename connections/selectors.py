"""Reads of Mindbody connections: which tokens are due for renewal, which sites to verify."""

from __future__ import annotations

import datetime as dt

from django.db import models

from connections.models import ConnectionStatus, MindbodySiteConnection

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
    """Every connection with a live token: the daily verification pass's work."""
    return connections_with_token()
