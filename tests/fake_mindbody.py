"""A fake Mindbody Public API v6 on 127.0.0.1: a real HTTP server, not a mocked ``requests``.

It follows Mindbody's swagger document at its least convenient reading, not what Keyport's
client would like: reads (``/site/locations``) take the token as optional and ignore it, even
a dead one; only endpoints documented as requiring staff credentials
(``/site/liabilitywaiver``, ``/client/clients``) and renew/revoke refuse a bad token; a bad
API key gets ``DeniedAccess`` on every endpoint; the renew answer is an untyped object
(``renew_body``: ``{}`` by default, the token only, or the issue shape); locations come in
pages of ``request.limit`` without ``TotalResults`` unless ``report_total``; with
``generic_denials`` every refusal says only "Access denied." It records every request
(method, path, query, headers, body) and can be told to misbehave: 429 with ``Retry-After``,
5xx, a non-JSON body, a slow answer, or a fault *after* the request was processed
(``Fault(after_processing=True)``). ``latency`` delays every answer (the benchmark uses
50 ms) and ``max_in_flight`` reports the highest number of requests served at once.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fake_http import serve, shut_down

SANDBOX = -99
TOKEN_LIFETIME = dt.timedelta(hours=24)
MAX_RENEWALS = 7
STAFF_AUTH_FAILED = "Staff identity authentication failed."
TOKEN_INVALID = "The access token is invalid or has expired."
GENERIC_DENIAL = "Access denied."
RENEWAL_LIMIT = "This token has been renewed 7 times; issue a new token."
NOT_ACTIVATED = "The owner of site {site} has not granted your developer account access."
INVALID_KEY = "The API key {key} is not valid."
STAFF_ONLY = frozenset({"/public/v6/site/liabilitywaiver", "/public/v6/client/clients"})
WAIVER = "I understand that yoga involves physical exertion."
MAX_PAGE = 200
RENEW_BODIES = ("empty", "token_only", "issue")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Token:
    site_id: int
    expires: dt.datetime
    renewals: int = 0
    revoked: bool = False


@dataclass
class Fault:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    after_processing: bool = False


def _error(status: int, message: str, code: str = "DeniedAccess") -> tuple[int, Any]:
    return status, {"Error": {"Message": message, "Code": code}}


class FakeMindbody:
    """State of the fake API; thread-safe because the server answers on many threads."""

    def __init__(self) -> None:
        self.api_keys: set[str] = set()
        self.staff: dict[tuple[int, str], str] = {}
        self.activated: set[int] = {SANDBOX}
        self.tokens: dict[str, Token] = {}
        self.locations = [{"Id": 1, "Name": "Clubville"}, {"Id": 2, "Name": "Downtown"}]
        self.report_total = False
        self.renew_body = "empty"
        self.generic_denials = False
        self.user = {"Id": 100000001, "FirstName": "Front", "LastName": "Desk", "Type": "Staff"}
        self.requests: list[Recorded] = []
        self.faults: dict[str, list[tuple[str | None, Fault]]] = {}
        self.latency = 0.0
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    # --- set-up helpers for tests ---------------------------------------------------
    def add_staff(self, site_id: int, username: str, password: str) -> None:
        self.staff[(site_id, username)] = password

    def seed_token(self, site_id: int, *, expires: dt.datetime, renewals: int = 0) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = Token(site_id, expires, renewals)
        return token

    def fail_next(self, path: str, fault: Fault, times: int = 1, token: str | None = None) -> None:
        """Answer the next ``times`` requests to ``path`` (only with ``token``, if given) so."""
        with self.lock:
            self.faults.setdefault(path, []).extend([(token, fault)] * times)

    def requests_to(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def revoke_at_mindbody(self, token: str) -> None:
        """A token ended outside Keyport (another app revoked it, the staff member left)."""
        with self.lock:
            self.tokens[token].revoked = True

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/public/v6"

    # --- the API --------------------------------------------------------------------
    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        """``(status, json_or_bytes, extra_headers, delay)`` for one request."""
        parts = urllib.parse.urlsplit(target)
        path, query = parts.path, dict(urllib.parse.parse_qsl(parts.query))
        with self.lock:
            self.requests.append(Recorded(method, path, headers, body, query))
            fault = self._take_fault(path, headers.get("Authorization"))
        if fault is not None and not fault.after_processing:
            return fault.status, fault.body, fault.headers, fault.delay
        status, payload = self._route(method, path, headers, body, query)
        if fault is not None:  # Mindbody applied the request, then the gateway failed
            return fault.status, fault.body, fault.headers, fault.delay
        if self.generic_denials and status in (401, 403):
            payload = {"Error": {"Message": GENERIC_DENIAL, "Code": "DeniedAccess"}}
        return status, payload, {}, 0.0

    def _take_fault(self, path: str, token: str | None) -> Fault | None:
        queued = self.faults.get(path, [])
        for index, (only_for, fault) in enumerate(queued):
            if only_for is None or only_for == token:
                del queued[index]
                return fault
        return None

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes, query: dict[str, str]
    ) -> Any:
        lowered = {k.lower(): v for k, v in headers.items()}
        key = lowered.get("api-key", "")
        if key not in self.api_keys:
            return _error(401, INVALID_KEY.format(key=key))
        try:
            site_id = int(lowered.get("siteid", ""))
        except ValueError:
            return _error(400, "SiteId header is missing.", "InvalidSiteId")
        if path == "/public/v6/site/activationcode" and method == "GET":
            code = f"ACT-{site_id}-{secrets.token_hex(4)}"
            link = f"https://clients.mindbodyonline.com/ActivateLink?code={code}"
            return 200, {"ActivationCode": code, "ActivationLink": link}
        if site_id not in self.activated:
            return _error(403, NOT_ACTIVATED.format(site=site_id))
        if path == "/public/v6/usertoken/issue" and method == "POST":
            return self._issue(site_id, json.loads(body or b"{}"))
        if path == "/public/v6/site/locations" and method == "GET":
            return self._locations(query)  # the token is optional here, and ignored
        return self._with_token(method, path, site_id, lowered.get("authorization", ""))

    def _with_token(self, method: str, path: str, site_id: int, raw: str) -> Any:
        with self.lock:
            token = self.tokens.get(raw)
            if token is None or token.revoked or token.site_id != site_id:
                return _error(401, TOKEN_INVALID)
            if token.expires <= self.clock():
                return _error(401, TOKEN_INVALID)
            if path == "/public/v6/usertoken/renew" and method == "POST":
                if token.renewals >= MAX_RENEWALS:
                    return _error(400, RENEWAL_LIMIT, "TokenRenewalLimitReached")
                token.renewals += 1
                token.expires += TOKEN_LIFETIME
                return 200, self._renew_body(raw, token.expires)
            if path == "/public/v6/usertoken/revoke" and method == "DELETE":
                token.revoked = True
                return 200, b""
        if path == "/public/v6/site/liabilitywaiver" and method == "GET":
            return 200, {"LiabilityWaiver": WAIVER}
        if path == "/public/v6/client/clients" and method == "GET":
            return 200, {"PaginationResponse": {"TotalResults": 0}, "Clients": []}
        return _error(404, "No such endpoint.", "NotFound")

    def _locations(self, query: dict[str, str]) -> Any:
        limit = min(int(query.get("request.limit") or 100), MAX_PAGE)
        offset = int(query.get("request.offset") or 0)
        page = self.locations[offset : offset + limit]
        pagination: dict[str, int] = {"RequestedLimit": limit, "RequestedOffset": offset}
        pagination["PageSize"] = len(page)
        if self.report_total:
            pagination["TotalResults"] = len(self.locations)
        return 200, {"PaginationResponse": pagination, "Locations": page}

    def _renew_body(self, token: str, expires: dt.datetime) -> Any:
        if self.renew_body == "empty":
            return {}
        if self.renew_body == "token_only":
            return {"AccessToken": token}
        return self._token_body(token, expires)

    def _issue(self, site_id: int, payload: dict[str, Any]) -> Any:
        password = self.staff.get((site_id, payload.get("Username", "")))
        if password is None or password != payload.get("Password"):
            return _error(403, STAFF_AUTH_FAILED)
        token = self.seed_token(site_id, expires=self.clock() + TOKEN_LIFETIME)
        return 200, self._token_body(token, self.tokens[token].expires)

    def _token_body(self, token: str, expires: dt.datetime) -> dict[str, Any]:
        return {
            "TokenType": "Bearer",
            "AccessToken": token,
            "Expires": expires.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "User": dict(self.user),
        }

    # --- lifecycle ------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeMindbody:
        self.server = serve(self, _Handler, port)
        return self

    def stop(self) -> None:
        shut_down(self.server, self.stopping)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    # One send() per answer and no Nagle: otherwise delayed ACKs add ~40 ms to each call.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        fake: FakeMindbody = self.server.fake  # type: ignore[attr-defined]
        with fake.lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload, extra, delay = fake.answer(
                self.command, self.path, dict(self.headers.items()), body
            )
            if fake.latency or delay:
                fake.stopping.wait(fake.latency + delay)
            raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            kind = "application/json" if raw[:1] in (b"{", b"[") else "text/html"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(raw)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with fake.lock:
                fake.in_flight -= 1

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read ``fake.requests`` instead."""
