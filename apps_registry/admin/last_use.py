"""Last use in plain words, for the key list and the Rotate / Revoke confirmation pages.

"Is a deployment still using this key?" is the question before revoking it; the
verification API stamps ``last_used_at`` (at most once a minute), and these words answer it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.timesince import timesince

RECENT_USE = dt.timedelta(days=30)
NEVER_USED_TEXT = "Never used: nothing has presented it to the verification API."
RECENT_USE_TEXT = "Used {ago} ago: a deployment still depends on it."
OLD_USE_TEXT = "Last used {ago} ago ({date}); nothing has presented it since."


def _ago(last_used_at: dt.datetime, now: dt.datetime) -> str:
    if now - last_used_at < dt.timedelta(minutes=1):
        return "less than a minute"
    return timesince(last_used_at, now, depth=1)


def last_use_sentence(last_used_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``Used 2 hours ago: a deployment still depends on it.`` and the like."""
    if last_used_at is None:
        return NEVER_USED_TEXT
    now = now or timezone.now()
    ago = _ago(last_used_at, now)
    if now - last_used_at <= RECENT_USE:
        return RECENT_USE_TEXT.format(ago=ago)
    return OLD_USE_TEXT.format(ago=ago, date=f"{last_used_at:%Y-%m-%d}")


def last_use_short(last_used_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``2 hours ago`` or ``Never``, for list columns."""
    if last_used_at is None:
        return "Never"
    return f"{_ago(last_used_at, now or timezone.now())} ago"
