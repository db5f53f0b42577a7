"""A fake Mindbody Public API v6 on 127.0.0.1: a real HTTP server, not a mocked ``requests``.

It implements the contract Keyport relies on (issue / renew / revoke a staff token, site
locations, activation code), records every request it receives (method, path, headers,
body) and can be told to misbehave: answer 429 with ``Retry-After``, 500, a non-JSON body,
or answer too slowly. ``latency`` delays every answer (the benchmark uses 50 ms) and
``max_in_flight`` reports the highest number of requests it was serving at once.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SANDBOX = -99
TOKEN_LIFETIME = dt.timedelta(hours=24)
MAX_RENEWALS = 7
STAFF_AUTH_FAILED = "Staff identity authentication failed."
TOKEN_INVALID = "The access token is invalid or has expired."
RENEWAL_LIMIT = "This token has been renewed 7 times; issue a new token."
NOT_ACTIVATED = "The owner of site {site} has not granted your developer account access."
INVALID_KEY = "The API key {key} is not valid."


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

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


def _error(status: int, message: str, code: str = "DeniedAccess") -> tuple[int, Any]:
    return status, {"Error": {"Message": message, "Code": code}}


class FakeMindbody:
    """State of the fake API; thread-safe because the server answers on many threads."""

    def __init__(self) -> None:
        self.api_keys: set[str] = set()
        self.staff: dict[tuple[int, str], str] = {}
        self.activated: set[int] = {SANDBOX}
        self.tokens: dict[str, Token] = {}
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

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/public/v6"

    # --- the API --------------------------------------------------------------------
    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        """``(status, json_or_bytes, extra_headers, delay)`` for one request."""
        with self.lock:
            self.requests.append(Recorded(method, path, headers, body))
            fault = self._take_fault(path, headers.get("Authorization"))
        if fault is not None:
            return fault.status, fault.body, fault.headers, fault.delay
        status, payload = self._route(method, path, headers, body)
        return status, payload, {}, 0.0

    def _take_fault(self, path: str, token: str | None) -> Fault | None:
        queued = self.faults.get(path, [])
        for index, (only_for, fault) in enumerate(queued):
            if only_for is None or only_for == token:
                del queued[index]
                return fault
        return None

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
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
        with self.lock:
            token = self.tokens.get(lowered.get("authorization", ""))
            if token is None or token.revoked or token.site_id != site_id:
                return _error(401, TOKEN_INVALID)
            if token.expires <= self.clock():
                return _error(401, TOKEN_INVALID)
            if path == "/public/v6/usertoken/renew" and method == "POST":
                if token.renewals >= MAX_RENEWALS:
                    return _error(400, RENEWAL_LIMIT, "TokenRenewalLimitReached")
                token.renewals += 1
                token.expires += TOKEN_LIFETIME
                return 200, self._token_body(lowered["authorization"], token.expires)
            if path == "/public/v6/usertoken/revoke" and method == "DELETE":
                token.revoked = True
                return 200, b""
        if path == "/public/v6/site/locations" and method == "GET":
            locations = [{"Id": 1, "Name": "Clubville"}, {"Id": 2, "Name": "Downtown"}]
            return 200, {"PaginationResponse": {"TotalResults": 2}, "Locations": locations}
        return _error(404, "No such endpoint.", "NotFound")

    def _issue(self, site_id: int, payload: dict[str, Any]) -> Any:
        password = self.staff.get((site_id, payload.get("Username", "")))
        if password is None or password != payload.get("Password"):
            return _error(403, STAFF_AUTH_FAILED)
        token = self.seed_token(site_id, expires=self.clock() + TOKEN_LIFETIME)
        return 200, self._token_body(token, self.tokens[token].expires)

    @staticmethod
    def _token_body(token: str, expires: dt.datetime) -> dict[str, Any]:
        return {
            "TokenType": "Bearer",
            "AccessToken": token,
            "Expires": expires.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "User": {"Id": 100000001, "FirstName": "Front", "LastName": "Desk", "Type": "Staff"},
        }

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> FakeMindbody:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.server.request_queue_size = 256
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


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
