"""A fake Zenoti API on 127.0.0.1: a real HTTP server, not a mocked ``requests``.

It answers ``GET /v1/centers`` the way Zenoti's contract reads at its least convenient:
a known key (sent exactly as ``Authorization: apikey <key>``) gets HTTP 200 with centers
and ``"error": null``; an unknown key gets 401 with ASP.NET's top-level ``Message`` (no
error object); a key Zenoti turned off gets an error object **with HTTP 200**, in either
shape (``error``/``code``/``message`` or ``Error``/``StatusCode``/``Message``). Tests queue
faults (429 with ``Retry-After``, a slow answer, a non-JSON body), read every request it
received (with the time it arrived) and the highest number it served at once.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fake_http import serve, shut_down

CENTERS = "/v1/centers"
UNKNOWN_KEY_MESSAGE = "Authorization has been denied for this request."
LOWER_MESSAGE = "The API key has expired."
UPPER_MESSAGE = "This application is disabled in Zenoti."
LOWER_ERROR: dict[str, Any] = {"code": 1001, "message": LOWER_MESSAGE}
UPPER_ERROR: dict[str, Any] = {"StatusCode": 403, "Message": UPPER_MESSAGE}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Fault:
    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeZenoti:
    """State of the fake API; thread-safe because the server answers on many threads."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # key -> account name
        self.turned_off: dict[str, dict[str, Any]] = {}  # key -> error body sent with 200
        self.faults: list[tuple[str | None, Fault]] = []
        self.requests: list[Recorded] = []
        self.latency = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    # --- set-up helpers for tests ---------------------------------------------------
    def add_key(self, key: str, account: str = "serenityspa") -> None:
        with self.lock:
            self.keys[key] = account
            self.turned_off.pop(key, None)

    def remove_key(self, key: str) -> None:
        """Zenoti forgot the key (revoked, or past its week after a rotation): 401."""
        with self.lock:
            self.keys.pop(key, None)

    def turn_off(self, key: str, *, shape: str = "lower") -> None:
        """Zenoti answers this key with an error object and HTTP 200."""
        body = (
            {"error": LOWER_ERROR, "centers": None} if shape == "lower" else {"Error": UPPER_ERROR}
        )
        with self.lock:
            self.turned_off[key] = body

    def fail_next(self, fault: Fault, times: int = 1, key: str | None = None) -> None:
        with self.lock:
            self.faults.extend([(key, fault)] * times)

    def requests_for(self, key: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.headers.get("Authorization") == f"apikey {key}"]

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- the API --------------------------------------------------------------------
    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[Any, ...]:
        """``(status, json_or_bytes, extra_headers, delay)`` for one request."""
        auth = headers.get("Authorization", "")
        with self.lock:
            self.requests.append(Recorded(method, path, headers, time.monotonic()))
            for index, (only_for, fault) in enumerate(self.faults):
                if only_for is None or auth == f"apikey {only_for}":
                    del self.faults[index]
                    return fault.status, fault.body, fault.headers, fault.delay
            return (*self._route(method, path, auth), {}, 0.0)

    def _route(self, method: str, path: str, auth: str) -> tuple[int, Any]:
        if method != "GET" or path.split("?")[0] != CENTERS:
            return 404, {"error": {"code": 404, "message": "No such endpoint."}}
        scheme, _, key = auth.partition(" ")
        if scheme != "apikey" or key not in self.keys:
            return 401, {"Message": UNKNOWN_KEY_MESSAGE}
        if key in self.turned_off:
            return 200, self.turned_off[key]
        centers = [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, self.keys[key])),
                "code": "HQ",
                "name": "Downtown",
            },
            {"id": str(uuid.uuid4()), "code": "UP", "name": "Uptown"},
        ]
        return 200, {
            "centers": centers,
            "page_info": {"total": 2, "page": 1, "size": 10},
            "error": None,
        }

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> FakeZenoti:
        self.server = serve(self, _Handler)
        return self

    def stop(self) -> None:
        shut_down(self.server, self.stopping)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        fake: FakeZenoti = self.server.fake  # type: ignore[attr-defined]
        with fake.lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            status, payload, extra, delay = fake.answer(
                self.command, self.path, dict(self.headers.items())
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

    do_POST = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read ``fake.requests`` instead."""
