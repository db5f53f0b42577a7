"""The daily call budget: Keyport's calls per Mindbody API key per UTC day.

Why: Mindbody bills and rate-limits calls per API key. The client tallies every request it
sends (``connections.call_tally``, no database on the pass's worker threads); the thread
that owns the database adds the tally here with one atomic ``calls = calls + n`` per key
and day, when each service returns (``counts_calls``) and, during a pass, once a second and
at its end. The write that first finds a day at 80 % of
``MINDBODY_DAILY_CALL_BUDGET`` stamps ``budget_alerted_at`` with a conditional update, so
exactly one email goes out per key and day however many processes count at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from connections import notifications
from connections.call_tally import TALLY
from connections.models import MindbodyCallDay

log = logging.getLogger(__name__)
ALERT_SHARE = 0.8
P = ParamSpec("P")
R = TypeVar("R")


def alert_threshold() -> int | None:
    """Calls per key and day at which the budget email goes out (``None``: no budget)."""
    budget = settings.MINDBODY_DAILY_CALL_BUDGET
    return math.ceil(budget * ALERT_SHARE) if budget > 0 else None


def _add(digest: str, day: dt.date, calls: int) -> None:
    rows = MindbodyCallDay.objects.filter(key_digest=digest, day=day)
    if rows.update(calls=F("calls") + calls):
        return
    try:
        with transaction.atomic():
            row = MindbodyCallDay(key_digest=digest, day=day, calls=calls)
            row.full_clean()
            row.save()
    except (IntegrityError, ValidationError):  # another process created the day meanwhile
        rows.update(calls=F("calls") + calls)


def _first_to_cross(digest: str, day: dt.date, now: dt.datetime) -> bool:
    threshold = alert_threshold()
    if threshold is None:
        return False
    return bool(
        MindbodyCallDay.objects.filter(
            key_digest=digest, day=day, calls__gte=threshold, budget_alerted_at__isnull=True
        ).update(budget_alerted_at=now)
    )


def mindbody_calls_record(*, now: dt.datetime | None = None) -> int:
    """Add every call tallied so far to the database; email keys that reached 80 %.

    Returns the number of calls added. A failed write gives the tally back (nothing lost).
    """
    now = now or timezone.now()
    pending = TALLY.drain()
    if not pending:
        return 0
    alerts = []
    try:
        with transaction.atomic():
            for (digest, day), calls in sorted(pending.items()):
                _add(digest, day, calls)
                if _first_to_cross(digest, day, now):
                    alerts.append((digest, day))
    except Exception:
        TALLY.give_back(pending)
        log.exception("Could not record %s Mindbody call(s)", sum(pending.values()))
        return 0
    for digest, day in alerts:
        notifications.send_budget(digest, day=day, budget=settings.MINDBODY_DAILY_CALL_BUDGET)
    return sum(pending.values())


def counts_calls(service: Callable[P, R]) -> Callable[P, R]:
    """Record the calls a service made once it returns or raises."""

    @functools.wraps(service)
    @sensitive_variables("args", "kwargs")
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        finally:
            mindbody_calls_record()

    return wrapper
