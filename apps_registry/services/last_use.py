"""Stamping last use without a write on most requests.

The caller already read ``last_used_at``; only a stamp older than ``LAST_USED_PRECISION``
is written, and the ``UPDATE`` repeats the condition so racing workers write it once. On
PostgreSQL the stamp commits without waiting for the WAL flush (``synchronous_commit``
off for that transaction only): a stamp lost in a crash costs nothing, the next use writes
it again, and a verification never waits for a disk.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q

LAST_USED_PRECISION = dt.timedelta(seconds=60)


def last_use_stamp(
    *,
    model: type[models.Model],
    pk: int,
    last_used_at: dt.datetime | None,
    now: dt.datetime,
    **also: Any,
) -> bool:
    """Write ``last_used_at = now`` (and ``also``) if the read stamp is stale; True if sent."""
    stale_before = now - LAST_USED_PRECISION
    if last_used_at is not None and last_used_at >= stale_before:
        return False
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        model._default_manager.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before), pk=pk
        ).update(last_used_at=now, **also)
    return True
