"""A small client for the Mindbody Public API v6, on one ``requests.Session``.

Why this shape: one session per process reuses TLS connections across a pass. Retries are
our own loop, not urllib3's, because they differ by verb: ``POST`` (issue, renew) is not
idempotent, so it is sent again only when it provably never reached Mindbody (connection
refused, DNS failure, connect timeout) or on 429 with ``Retry-After``; a 5xx or a read
timeout after a ``POST`` was sent raises with ``maybe_processed`` (the next pass is the
retry). ``GET`` and ``DELETE`` are retried on 429 and 5xx with backoff. A read timeout is
never retried. Every request sent is reported to ``on_call`` (Mindbody bills per call).
Logs say method, path, status and time; never a header or a body.
"""

from __future__ import annotations

import http.cookiejar
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter

from connections.mindbody_api import (
    LOCATIONS_PAGE,
    Activation,
    IssuedToken,
    RenewedToken,
    SiteCredentials,
    count_from_page,
    issued_token,
    parse_expires,
    renewed_token,
)
from connections.mindbody_errors import (
    MALFORMED_MESSAGE,
    NOT_JSON_MESSAGE,
    REFUSED_MESSAGE,
    TIMEOUT_MESSAGE,
    UNREACHABLE_MESSAGE,
    MindbodyError,
    error_from_response,
    network_cause,
    with_request_id,
)
from connections.mindbody_retry import RetryPolicy, never_sent

log = logging.getLogger(__name__)

STAFF_CHECK_PATH = "/site/liabilitywaiver"  # documented: "requires staff user credentials"
__all__ = [
    "MALFORMED_MESSAGE",
    "NOT_JSON_MESSAGE",
    "REFUSED_MESSAGE",
    "TIMEOUT_MESSAGE",
    "UNREACHABLE_MESSAGE",
    "Activation",
    "IssuedToken",
    "MindbodyClient",
    "MindbodyError",
    "RenewedToken",
    "SiteCredentials",
    "parse_expires",
]


class MindbodyClient:
    """Calls for one site at a time; safe to share between the threads of one pass."""

    def __init__(
        self,
        *,
        base_url: str,
        connect_timeout: float,
        read_timeout: float,
        max_retries: int,
        backoff_factor: float,
        retry_after_max: int,
        pool_size: int,
        on_call: Callable[[str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries, self.backoff_factor = max_retries, backoff_factor
        self.policy = RetryPolicy(max_retries, backoff_factor, retry_after_max)
        self.on_call = on_call
        self.session = requests.Session()
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = HTTPAdapter(max_retries=0, pool_maxsize=max(pool_size, 1))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Keyport"})

    @sensitive_variables("password", "body")
    def issue_token(self, site: SiteCredentials, *, username: str, password: str) -> IssuedToken:
        body = {"Username": username, "Password": password}
        data = self._call("POST", "/usertoken/issue", site, json=body, extra_secrets=(password,))
        return issued_token(data)

    def renew_token(self, site: SiteCredentials) -> RenewedToken:
        """Any object is a renewal Mindbody applied; its token and expiry are used if present."""
        return renewed_token(self._call("POST", "/usertoken/renew", site, staff=True))

    def revoke_token(self, site: SiteCredentials) -> None:
        self._call("DELETE", "/usertoken/revoke", site, staff=True)

    def location_count(self, site: SiteCredentials) -> int:
        """Tokenless ``GET /site/locations``: proves key and site; counts every page.

        ``TotalResults`` is used when Mindbody gives it; otherwise pages are read until one
        comes back shorter than ``request.limit``.
        """
        total, offset = 0, 0
        while True:
            params = {"request.limit": LOCATIONS_PAGE, "request.offset": offset}
            data = self._call("GET", "/site/locations", site, params=params)
            known, page = count_from_page(data)
            if known is not None:
                return known
            total += page
            offset += page
            if page < LOCATIONS_PAGE:  # a short page is the last one
                return total

    def staff_check(self, site: SiteCredentials) -> None:
        """An endpoint documented as requiring staff credentials: proves the token itself."""
        self._call("GET", STAFF_CHECK_PATH, site, staff=True)

    def activation_code(self, site: SiteCredentials) -> Activation:
        data = self._call("GET", "/site/activationcode", site)
        if not isinstance(data, dict) or not data.get("ActivationCode"):
            raise MindbodyError(MALFORMED_MESSAGE.format(detail="no activation code"))
        return Activation(str(data["ActivationCode"]), str(data.get("ActivationLink") or ""))

    # Error reports (Django's 500 emails) show frame locals: keep the headers out of them.
    @sensitive_variables("headers", "secrets", "json", "extra_secrets")
    def _call(
        self,
        method: str,
        path: str,
        site: SiteCredentials,
        *,
        staff: bool = False,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        extra_secrets: tuple[str, ...] = (),
    ) -> Any:
        headers = {"API-Key": site.api_key, "SiteId": str(site.site_id)}
        if staff:
            headers["Authorization"] = site.token
        secrets = (site.api_key, site.token, *extra_secrets)
        response = self._send(method, path, site, headers=headers, json=json, params=params)
        if not response.ok:
            maybe = method == "POST" and response.status_code >= 500
            raise error_from_response(response, secrets, maybe_processed=maybe)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            # A POST answered 2xx was applied, whatever the body says.
            text = MALFORMED_MESSAGE.format(detail="not JSON")
            raise MindbodyError(text, maybe_processed=method == "POST") from None

    @sensitive_variables("headers")
    def _send(
        self, method: str, path: str, site: SiteCredentials, **kwargs: Any
    ) -> requests.Response:
        """Send, retrying only what is safe for the verb; report every request sent."""
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, self.base_url + path, timeout=self.timeout, **kwargs
                )
            except requests.RequestException as exc:
                if never_sent(exc) and attempt <= self.max_retries:
                    self._pause(attempt)
                    continue
                self._counted(site, sent=not never_sent(exc))
                raise self._network_error(method, path, site, exc) from None
            self._counted(site, sent=True)
            elapsed_ms = (time.monotonic() - started) * 1000
            log.info(
                "Mindbody %s %s -> HTTP %s in %.0f ms (site %s)",
                method, path, response.status_code, elapsed_ms, site.site_id,
            )  # fmt: skip
            wait = self.policy.wait(method, response, attempt)
            if wait is None:
                return response
            response.close()
            time.sleep(wait)

    def _pause(self, attempt: int) -> None:
        time.sleep(self.policy.backoff(attempt))

    def _counted(self, site: SiteCredentials, *, sent: bool) -> None:
        if sent and self.on_call is not None:
            self.on_call(site.api_key)

    def _network_error(
        self, method: str, path: str, site: SiteCredentials, exc: requests.RequestException
    ) -> MindbodyError:
        maybe = method == "POST" and not never_sent(exc)
        if isinstance(exc, requests.Timeout):
            log.warning("Mindbody %s %s timed out (site %s)", method, path, site.site_id)
            connect = isinstance(exc, requests.ConnectTimeout)
            seconds = self.timeout[0] if connect else self.timeout[1]
            host = urlsplit(self.base_url).hostname or self.base_url
            text = TIMEOUT_MESSAGE.format(host=host, seconds=seconds) + with_request_id()
            return MindbodyError(text, maybe_processed=maybe)
        cause = network_cause(exc, self.base_url + path)
        log.warning("Mindbody %s %s unreachable (site %s): %s", method, path, site.site_id, cause)
        text = UNREACHABLE_MESSAGE.format(cause=cause) + with_request_id()
        return MindbodyError(text, maybe_processed=maybe)
