"""The live check of a Zenoti-issued API key: ``GET {base}/v1/centers``, no ORM here.

Why this shape: Zenoti may send an error object with HTTP 200 (public clients meet both
``{"error": {"code", "message"}}`` and ``{"Error": {"StatusCode", "Message"}}``), so a key
passes only on HTTP 200 with a readable body and no error object. A 429 is retried after
its ``Retry-After`` (never longer than ``retry_after_max``, at most ``max_retries`` times);
every other failure is one answer in plain words. A ``RateLimiter`` spaces calls per Zenoti
organization so a pass stays under Zenoti's 60 calls per minute. Logs say path, status and
time; never a header or a body, so never the key.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter

from apps_registry.rate_limit import RateLimiter

log = logging.getLogger(__name__)

CENTERS_PATH = "/v1/centers"
PASSED, REFUSED, UNREACHABLE = "passed", "refused", "unreachable"
PASSED_MESSAGE = "Zenoti accepted the key ({count} centers visible)."
REFUSED_MESSAGE = "Zenoti refused the key: {message} (code {code}, HTTP {status})."
REFUSED_NO_WORDS_MESSAGE = "Zenoti refused the key without a message (HTTP {status})."
SERVER_ERROR_MESSAGE = "Zenoti had a problem of its own (HTTP {status}); the key was not judged."
UNREADABLE_MESSAGE = "Zenoti answered HTTP {status} with a body Keyport could not read."
RATE_LIMITED_MESSAGE = (
    "Zenoti's rate limit: it asked Keyport to wait {seconds} seconds; the next check tries again."
)
TIMEOUT_MESSAGE = "Zenoti did not answer within {seconds:g} seconds."
UNREACHABLE_MESSAGE = "Keyport could not reach Zenoti at {host} ({reason})."
HIDDEN = "[hidden]"
DEFAULT_RETRY_AFTER = 1


@dataclass(frozen=True)
class ZenotiAnswer:
    """One check's verdict: ``result`` is PASSED, REFUSED or UNREACHABLE; ``text`` is for
    people, ``message`` and ``code`` are Zenoti's own words (empty when it gave none)."""

    result: str
    text: str
    message: str = ""
    code: str = ""
    status: int | None = None

    @property
    def passed(self) -> bool:
        return self.result == PASSED


def _scrub(text: str, secret: str) -> str:
    """Zenoti may echo what it was sent; a message must never carry the key."""
    return text.replace(secret, HIDDEN) if secret and len(secret) >= 4 else text


def _pick(obj: dict[str, Any], *names: str) -> str:
    for name in names:
        value = obj.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def error_in(body: Any) -> tuple[str, str] | None:
    """Zenoti's ``(message, code)`` when ``body`` carries an error object, else ``None``."""
    if not isinstance(body, dict):
        return None
    for name in ("error", "Error"):
        error = body.get(name)
        if isinstance(error, dict) and error:
            return (
                _pick(error, "message", "Message", "reason", "Reason"),
                _pick(error, "code", "Code", "StatusCode", "statusCode"),
            )
        if isinstance(error, str) and error:
            return error, ""
    return None


def retry_after_seconds(value: str | None) -> int:
    """``Retry-After`` in seconds (a number or an HTTP date); 1 when absent or unreadable."""
    if not value:
        return DEFAULT_RETRY_AFTER
    if value.strip().isdigit():
        return int(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(0, round(when.timestamp() - time.time()))


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def judge(response: requests.Response, api_key: str) -> ZenotiAnswer:
    """The verdict on one answer (a 429 is handled by the caller)."""
    status = response.status_code
    body = _json(response)
    error = error_in(body)
    if status == 200 and body is not None and error is None:
        centers = body.get("centers") if isinstance(body, dict) else None
        count = len(centers) if isinstance(centers, list) else 0
        return ZenotiAnswer(PASSED, PASSED_MESSAGE.format(count=count), status=status)
    if status >= 500 and error is None:
        return ZenotiAnswer(UNREACHABLE, SERVER_ERROR_MESSAGE.format(status=status), status=status)
    if error is None and isinstance(body, dict) and status in (401, 403):
        error = (_pick(body, "Message", "message"), "")
    if error is None:
        if status in (401, 403):
            text = REFUSED_NO_WORDS_MESSAGE.format(status=status)
            return ZenotiAnswer(REFUSED, text, code=str(status), status=status)
        return ZenotiAnswer(UNREACHABLE, UNREADABLE_MESSAGE.format(status=status), status=status)
    message, code = _scrub(error[0], api_key), _scrub(error[1], api_key)
    if not message and not code:
        text = REFUSED_NO_WORDS_MESSAGE.format(status=status)
    else:
        text = REFUSED_MESSAGE.format(
            message=message or "no message", code=code or "none", status=status
        )
    return ZenotiAnswer(REFUSED, text, message=message, code=code, status=status)


class ZenotiClient:
    """Checks keys; safe to share between the threads of one pass (one pooled session)."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_retries: int,
        retry_after_max: int,
        pool_size: int = 4,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max(max_retries, 0)
        self.retry_after_max = retry_after_max
        self.limiter = limiter or RateLimiter(60)
        self.sleep = sleep
        self.session = requests.Session()
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = HTTPAdapter(max_retries=0, pool_maxsize=max(pool_size, 1))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Keyport"})

    @sensitive_variables("api_key", "headers")
    def check_key(
        self, *, base_url: str, api_key: str, account: str = "", retries: int | None = None
    ) -> ZenotiAnswer:
        """``GET {base_url}/v1/centers`` with ``Authorization: apikey <key>``.

        ``retries=0`` answers a 429 at once (a person is waiting on the page).
        """
        url = base_url.rstrip("/") + CENTERS_PATH
        host = urlsplit(url).netloc or url
        headers = {"Authorization": f"apikey {api_key}"}
        account = account or host
        retries = self.max_retries if retries is None else max(retries, 0)
        for attempt in range(retries + 1):
            wait = self.limiter.reserve(account)
            if wait > 0:
                self.sleep(wait)
            started = time.monotonic()
            try:
                response = self.session.get(url, headers=headers, timeout=self.timeout)
            except requests.Timeout as exc:
                connect = isinstance(exc, requests.ConnectTimeout)
                seconds = self.timeout[0] if connect else self.timeout[1]
                log.warning("Zenoti GET %s timed out (%s)", CENTERS_PATH, host)
                return ZenotiAnswer(UNREACHABLE, TIMEOUT_MESSAGE.format(seconds=seconds))
            except requests.RequestException as exc:
                log.warning("Zenoti GET %s unreachable (%s)", CENTERS_PATH, host)
                reason = "connection refused" if "refused" in str(exc).lower() else "network error"
                text = UNREACHABLE_MESSAGE.format(host=host, reason=reason)
                return ZenotiAnswer(UNREACHABLE, text)
            elapsed_ms = (time.monotonic() - started) * 1000
            log.info(
                "Zenoti GET %s -> HTTP %s in %.0f ms (%s)",
                CENTERS_PATH, response.status_code, elapsed_ms, host,
            )  # fmt: skip
            if response.status_code != 429:
                return judge(response, api_key)
            seconds = retry_after_seconds(response.headers.get("Retry-After"))
            if seconds > self.retry_after_max or attempt == retries:
                text = RATE_LIMITED_MESSAGE.format(seconds=seconds)
                return ZenotiAnswer(UNREACHABLE, text, code="429", status=429)
            self.limiter.hold(account, seconds)
        raise AssertionError("unreachable")  # pragma: no cover
