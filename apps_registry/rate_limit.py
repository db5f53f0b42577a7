"""Spacing calls per remote organization so a pass stays under a vendor's rate limit.

A token bucket of size one: each caller reserves the next free start time of its
organization and sleeps until then, so concurrent threads never burst. No ORM, no I/O.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Spaces call starts per Zenoti organization: at most ``calls_per_minute`` each."""

    def __init__(self, calls_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / max(calls_per_minute, 1)
        self.clock = clock
        self.next_slot: dict[str, float] = {}
        self.lock = threading.Lock()

    def reserve(self, account: str) -> float:
        """Seconds the caller must wait before its call; the slot is its own."""
        with self.lock:
            now = self.clock()
            slot = max(now, self.next_slot.get(account, now))
            self.next_slot[account] = slot + self.interval
            return slot - now

    def hold(self, account: str, seconds: float) -> None:
        """Zenoti said 429: nobody of this organization calls before ``seconds`` from now."""
        with self.lock:
            until = self.clock() + seconds
            self.next_slot[account] = max(self.next_slot.get(account, until), until)
