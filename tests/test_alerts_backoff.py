"""Retry delays (apps_registry.alerts.backoff): exponential, jittered, inside the broker's
visibility timeout whatever the attempt number."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from apps_registry.alerts.backoff import VISIBILITY_MARGIN, retry_countdown


@given(
    retries=st.integers(min_value=0, max_value=10_000),
    base=st.floats(min_value=0.01, max_value=10_000),
    visibility=st.integers(min_value=1, max_value=86_400 * 7),
    seed=st.integers(),
)
def test_countdown_is_positive_and_below_the_visibility_timeout(retries, base, visibility, seed):
    countdown = retry_countdown(
        retries=retries, base_seconds=base, visibility_timeout=visibility, rng=random.Random(seed)
    )
    assert 0 < countdown <= visibility * VISIBILITY_MARGIN < visibility


def test_countdown_grows_exponentially_with_jitter() -> None:
    rng = random.Random(7)
    delays = [
        retry_countdown(retries=n, base_seconds=60, visibility_timeout=3600, rng=rng)
        for n in range(4)
    ]
    for n, delay in enumerate(delays):
        step = 60 * 2**n
        assert step / 2 <= delay <= step
    spread = {
        retry_countdown(retries=3, base_seconds=60, visibility_timeout=3600) for _ in range(20)
    }
    assert len(spread) > 1  # jitter: two workers retrying together drift apart
