"""A small client for the Mindbody Public API v6, on one ``requests.Session``.

Why this shape: one session per process reuses TLS connections across a renewal pass;
urllib3's ``Retry`` retries 429 (sleeping what ``Retry-After`` asks, capped) and 5xx with
exponential backoff, for every verb, because Mindbody rate-limits token calls too. A read
timeout is never retried: the request may have reached Mindbody. Every failure becomes one
``MindbodyError`` carrying Mindbody's ``Code`` and ``Message`` (or the HTTP status). Logs say
method, path, status and time; never a header or a body, so no key, token or password.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REFUSED_MESSAGE = "Mindbody refused the request: {message} (code {code}, HTTP {status})."
NOT_JSON_MESSAGE = "Mindbody answered HTTP {status} without a readable error message."
TIMEOUT_MESSAGE = "Mindbody did not answer within {seconds:g} seconds."
UNREACHABLE_MESSAGE = "Keyport could not reach Mindbody ({reason})."
MALFORMED_MESSAGE = "Mindbody's answer could not be understood: {detail}."
HIDDEN = "[hidden]"


class MindbodyError(Exception):
    """Any failed call: Mindbody's ``Code``/``Message`` or the HTTP status, in plain words."""

    def __init__(self, text: str, *, code: str = "", message: str = "", status: int | None = None):
        super().__init__(text)
        self.text = text
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SiteCredentials:
    """What one site's calls send; ``repr`` shows the site ID only."""

    api_key: str = field(repr=False)
    site_id: int
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class IssuedToken:
    """A token from ``/usertoken/issue`` or ``/usertoken/renew``; ``repr`` hides it."""

    access_token: str = field(repr=False)
    expires_at: dt.datetime
    token_type: str = ""


@dataclass(frozen=True)
class Activation:
    code: str
    link: str


def parse_expires(value: Any) -> dt.datetime:
    """Mindbody's ``Expires`` is UTC, with or without ``Z`` and up to 7 fractional digits."""
    if not isinstance(value, str) or not value:
        raise MindbodyError(MALFORMED_MESSAGE.format(detail="no token expiry"))
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise MindbodyError(MALFORMED_MESSAGE.format(detail="unreadable token expiry")) from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Mindbody sometimes echoes what it was sent; a message must never carry a secret."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, HIDDEN)
    return text


def error_from_response(response: requests.Response, secrets: tuple[str, ...]) -> MindbodyError:
    """Turn a non-2xx answer into a ``MindbodyError`` with Mindbody's words when it gave any."""
    try:
        error = response.json().get("Error") or {}
        message, code = str(error.get("Message") or ""), str(error.get("Code") or "")
    except (ValueError, AttributeError):
        message, code = "", ""
    if not message and not code:
        return MindbodyError(
            NOT_JSON_MESSAGE.format(status=response.status_code), status=response.status_code
        )
    message = _scrub(message, secrets)
    text = REFUSED_MESSAGE.format(message=message, code=code or "none", status=response.status_code)
    return MindbodyError(text, code=code, message=message, status=response.status_code)


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        retry = Retry(
            total=max_retries,
            connect=max_retries,
            read=False,
            status=max_retries,
            other=0,
            allowed_methods=None,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            retry_after_max=retry_after_max,
            raise_on_status=False,
        )
        self.session = requests.Session()
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=max(pool_size, 1))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Keyport"})

    @sensitive_variables("password", "body")
    def issue_token(self, site: SiteCredentials, *, username: str, password: str) -> IssuedToken:
        body = {"Username": username, "Password": password}
        data = self._call("POST", "/usertoken/issue", site, json=body, extra_secrets=(password,))
        return self._token(data)

    def renew_token(self, site: SiteCredentials) -> IssuedToken:
        return self._token(self._call("POST", "/usertoken/renew", site, staff=True))

    def revoke_token(self, site: SiteCredentials) -> None:
        self._call("DELETE", "/usertoken/revoke", site, staff=True)

    def locations(self, site: SiteCredentials) -> list[Any]:
        """The cheap read that proves key, site and token work together."""
        data = self._call("GET", "/site/locations", site, staff=True)
        return list(data.get("Locations") or []) if isinstance(data, dict) else []

    def activation_code(self, site: SiteCredentials) -> Activation:
        data = self._call("GET", "/site/activationcode", site)
        if not isinstance(data, dict) or not data.get("ActivationCode"):
            raise MindbodyError(MALFORMED_MESSAGE.format(detail="no activation code"))
        return Activation(str(data["ActivationCode"]), str(data.get("ActivationLink") or ""))

    def _token(self, data: Any) -> IssuedToken:
        if not isinstance(data, dict) or not data.get("AccessToken"):
            raise MindbodyError(MALFORMED_MESSAGE.format(detail="no access token"))
        expires = parse_expires(data.get("Expires"))
        return IssuedToken(str(data["AccessToken"]), expires, str(data.get("TokenType") or ""))

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
        extra_secrets: tuple[str, ...] = (),
    ) -> Any:
        headers = {"API-Key": site.api_key, "SiteId": str(site.site_id)}
        if staff:
            headers["Authorization"] = site.token
        secrets = (site.api_key, site.token, *extra_secrets)
        started = time.monotonic()
        try:
            response = self.session.request(
                method, self.base_url + path, headers=headers, json=json, timeout=self.timeout
            )
        except requests.Timeout as exc:
            log.warning("Mindbody %s %s timed out (site %s)", method, path, site.site_id)
            seconds = (
                self.timeout[0] if isinstance(exc, requests.ConnectTimeout) else self.timeout[1]
            )
            raise MindbodyError(TIMEOUT_MESSAGE.format(seconds=seconds)) from None
        except requests.RequestException as exc:
            log.warning("Mindbody %s %s unreachable (site %s)", method, path, site.site_id)
            raise MindbodyError(UNREACHABLE_MESSAGE.format(reason=type(exc).__name__)) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info(
            "Mindbody %s %s -> HTTP %s in %.0f ms (site %s)",
            method, path, response.status_code, elapsed_ms, site.site_id,
        )  # fmt: skip
        if not response.ok:
            raise error_from_response(response, secrets)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise MindbodyError(MALFORMED_MESSAGE.format(detail="not JSON")) from None
