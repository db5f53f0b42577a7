"""When the Mindbody client sends a request again, by verb (``connections.mindbody``).

Why by verb: ``POST /usertoken/issue`` and ``/renew`` are not idempotent. A ``POST`` goes
again only when it provably never reached Mindbody (connection refused, DNS failure,
connect timeout) or on 429 with ``Retry-After`` (rate-limited, so not processed). ``GET`` and
``DELETE`` are also retried on 5xx, and on 429 without ``Retry-After``, with exponential
backoff. A read timeout is never retried. Knows nothing of Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request provably did not reach Mindbody (so even a POST may go again)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError)


def retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds (the delta form; a date is treated as absent)."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff_factor: float
    retry_after_max: float

    def backoff(self, attempt: int) -> float:
        return self.backoff_factor * (2 ** (attempt - 1))

    def wait(self, method: str, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before sending again, or ``None`` to keep this answer."""
        status = response.status_code
        if status not in RETRY_STATUSES or attempt > self.max_retries:
            return None
        after = retry_after(response) if status == 429 else None
        if method == "POST" and after is None:
            return None  # a POST goes again only when Mindbody said it was not processed
        if after is not None:
            return min(after, self.retry_after_max)
        return self.backoff(attempt)
