"""The rate limit on failed verifications, per verifier token, in the Django cache.

A fixed window (``KEYPORT_VERIFY_FAILURE_WINDOW`` seconds, default 60) counts the answers
that were not ``VALID``; past ``KEYPORT_VERIFY_FAILURE_LIMIT`` (default 300) further
failures answer 429 with ``Retry-After`` until the window ends. Valid keys keep verifying
meanwhile, so one client guessing keys behind a gateway cannot lock the others out. Every
web process must share the cache (``CACHE_URL``, Redis in production) for the limit to be
one limit; a per-process cache multiplies it by the number of workers.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

KEY_TEMPLATE = "keyport:verify-failures:{verifier}:{window}"


def _limit() -> tuple[int, int]:
    return settings.KEYPORT_VERIFY_FAILURE_LIMIT, max(settings.KEYPORT_VERIFY_FAILURE_WINDOW, 1)


def failure_retry_after(verifier_id: int, *, now: float | None = None) -> int | None:
    """Count one failed verification; seconds to wait if the verifier is over its limit."""
    limit, window = _limit()
    now = time.time() if now is None else now
    number = int(now // window)
    key = KEY_TEMPLATE.format(verifier=verifier_id, window=number)
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((number + 1) * window - now))
