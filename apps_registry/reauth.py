"""Re-authentication before dangerous actions: a password re-entry counts for 5 minutes."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "keyport_reauthenticated_at"
REAUTH_VALID_FOR = dt.timedelta(minutes=5)


def recently_reauthenticated(request: HttpRequest, now: dt.datetime | None = None) -> bool:
    """True when the user re-entered their password less than five minutes ago."""
    stamp = request.session.get(SESSION_KEY)
    if not stamp:
        return False
    at = dt.datetime.fromisoformat(stamp)
    return (now or timezone.now()) - at < REAUTH_VALID_FOR


def mark_reauthenticated(request: HttpRequest, now: dt.datetime | None = None) -> None:
    request.session[SESSION_KEY] = (now or timezone.now()).isoformat()
