"""Calls sent to Mindbody, per API key and UTC day, waiting to be added to the database.

Why a tally in memory: the client runs on a pass's worker threads, which never touch the
database (the SQLite test database and the pass's one-writer design both rely on it). The
client adds here; the thread that owns the database drains it (``services.budget``) right
after each answer is written, so the stored counts trail the real ones by one answer at most.
Knows nothing of Django; keys are kept as SHA-256 digests, never in plain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import Counter

Bucket = tuple[str, dt.date]


def key_digest(api_key: str) -> str:
    """How a Mindbody API key is named outside its encrypted field."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class CallTally:
    """A thread-safe counter of calls per (key digest, UTC day)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[Bucket] = Counter()

    def add(self, api_key: str, *, now: dt.datetime | None = None) -> None:
        day = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).date()
        bucket = (key_digest(api_key), day)
        with self._lock:
            self._pending[bucket] += 1

    def drain(self) -> dict[Bucket, int]:
        """Everything counted so far, once: the caller now owns adding it to the database."""
        with self._lock:
            pending, self._pending = dict(self._pending), Counter()
        return pending

    def give_back(self, pending: dict[Bucket, int]) -> None:
        """Return counts a failed database write could not keep, so they are not lost."""
        with self._lock:
            self._pending.update(pending)


TALLY = CallTally()
