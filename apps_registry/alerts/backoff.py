"""Retry delays for SMTP failures: exponential, jittered, and always inside the broker's
visibility timeout (a Redis message not acknowledged by then is delivered again, so a
longer countdown would run the retry twice)."""

from __future__ import annotations

import random

VISIBILITY_MARGIN = 0.9
MAX_EXPONENT = 32


def retry_countdown(
    *,
    retries: int,
    base_seconds: float,
    visibility_timeout: float,
    rng: random.Random | None = None,
) -> float:
    """Seconds before retry number ``retries + 1``: "equal jitter" backoff.

    The step doubles each time (capped at 90 % of the visibility timeout); half of it is
    fixed, half random, so retries spread out but never come back immediately.
    """
    ceiling = visibility_timeout * VISIBILITY_MARGIN
    step = min(base_seconds * 2 ** min(max(retries, 0), MAX_EXPONENT), ceiling)
    return step / 2 + (rng or random).uniform(0, step / 2)
