"""Mindbody's errors, and what each one is about: the API key, the staff token, the site.

Why a module of its own: Mindbody answers ``DeniedAccess`` (401 or 403) for a bad API key, a
dead staff token and a site whose owner has not approved the integration alike, so the HTTP
status says nothing about the cure. The published contract documents no list of codes, so
``classify`` reads Mindbody's ``Code`` and ``Message``; what it cannot tell apart it calls
``DENIED``, which the services settle with one tokenless read (key and site only).
Knows nothing of Django.
"""

from __future__ import annotations

import enum
import socket
from urllib.parse import urlsplit

import requests

from plumbing.request_id import current_request_id

REFUSED_MESSAGE = "Mindbody refused the request: {message} (code {code}, HTTP {status})."
NOT_JSON_MESSAGE = "Mindbody answered HTTP {status} without a readable error message."
TIMEOUT_MESSAGE = "Mindbody ({host}) did not answer within {seconds:g} seconds."
UNREACHABLE_MESSAGE = "Keyport could not reach Mindbody: {cause}."
UNRESOLVED_CAUSE = "could not resolve {host}"
REFUSED_CAUSE = "{host} refused the connection"
TLS_CAUSE = "the secure (TLS) connection to {host} failed"
PROXY_CAUSE = "the proxy on the way to {host} failed"
BROKEN_CAUSE = "the connection to {host} broke off"
REQUEST_ID_SUFFIX = " Request id: {request_id}."
MALFORMED_MESSAGE = "Mindbody's answer could not be understood: {detail}."
HIDDEN = "[hidden]"
DENIED_STATUSES = frozenset({401, 403})
KEY_WORDS = ("api key", "api-key", "apikey", "api_key")
TOKEN_WORDS = ("token", "authorization", "staff user credentials")
SITE_WORDS = ("activat", "has not granted", "not approved", "site owner", "owner of site")


class Cause(enum.StrEnum):
    """What a refusal is about; decides the connection's status and the cure we name."""

    KEY = "key"
    TOKEN = "token"  # noqa: S105 - a cause, not a token
    SITE = "site"
    DENIED = "denied"  # refused, without saying whether the key or the token
    OTHER = "other"


class MindbodyError(Exception):
    """Any failed call: Mindbody's ``Code``/``Message`` or the HTTP status, in plain words.

    ``maybe_processed`` is true when a ``POST`` may have been applied by Mindbody even though
    no good answer came back (a 5xx or a timeout after the request was sent).
    """

    def __init__(
        self,
        text: str,
        *,
        code: str = "",
        message: str = "",
        status: int | None = None,
        maybe_processed: bool = False,
    ):
        super().__init__(text)
        self.text = text
        self.code = code
        self.message = message
        self.status = status
        self.maybe_processed = maybe_processed


def classify(error: MindbodyError) -> Cause:
    """Name what Mindbody refused, from its code and words first and the status last."""
    if error.status is None:
        return Cause.OTHER
    text = f"{error.code} {error.message}".lower()
    if any(word in text for word in KEY_WORDS):
        return Cause.KEY
    if any(word in text for word in SITE_WORDS):
        return Cause.SITE
    if any(word in text for word in TOKEN_WORDS):
        return Cause.TOKEN
    if error.status in DENIED_STATUSES or error.code.lower() == "deniedaccess":
        return Cause.DENIED
    return Cause.OTHER


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Mindbody sometimes echoes what it was sent; a message must never carry a secret."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, HIDDEN)
    return text


def error_from_response(
    response: requests.Response, secrets: tuple[str, ...], *, maybe_processed: bool = False
) -> MindbodyError:
    """Turn a non-2xx answer into a ``MindbodyError`` with Mindbody's words when it gave any."""
    try:
        error = response.json().get("Error") or {}
        message, code = str(error.get("Message") or ""), str(error.get("Code") or "")
    except (ValueError, AttributeError):
        message, code = "", ""
    status = response.status_code
    if not message and not code:
        text = NOT_JSON_MESSAGE.format(status=status)
        return MindbodyError(text, status=status, maybe_processed=maybe_processed)
    message = scrub(message, secrets)
    text = REFUSED_MESSAGE.format(message=message, code=code or "none", status=status)
    return MindbodyError(
        text, code=code, message=message, status=status, maybe_processed=maybe_processed
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
        if current is None and seen[-1].args and isinstance(seen[-1].args[0], BaseException):
            current = seen[-1].args[0]  # urllib3 wraps its reason in args
        reason = getattr(seen[-1], "reason", None)
        if current is None and isinstance(reason, BaseException):
            current = reason
    return seen


def network_cause(exc: requests.RequestException, url: str) -> str:
    """What went wrong on the way to ``url``, in plain words that name the host."""
    host = urlsplit(url).hostname or url
    chain = _chain(exc)
    names = " ".join(type(item).__name__ for item in chain)
    if any(isinstance(item, socket.gaierror) for item in chain) or "NameResolution" in names:
        return UNRESOLVED_CAUSE.format(host=host)
    if any(isinstance(item, ConnectionRefusedError) for item in chain):
        return REFUSED_CAUSE.format(host=host)
    if isinstance(exc, requests.exceptions.SSLError):
        return TLS_CAUSE.format(host=host)
    if isinstance(exc, requests.exceptions.ProxyError):
        return PROXY_CAUSE.format(host=host)
    return BROKEN_CAUSE.format(host=host)


def with_request_id() -> str:
    """`` Request id: …`` while serving a web request, so support can find its log lines."""
    request_id = current_request_id.get()
    return "" if request_id == "-" else REQUEST_ID_SUFFIX.format(request_id=request_id)
