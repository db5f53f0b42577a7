"""What the fake vendor servers (Mindbody, Zenoti) share: a threaded HTTP server on 127.0.0.1
that hands each request to its fake, and a clean stop that wakes any delayed answer."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def serve(fake: Any, handler: type[BaseHTTPRequestHandler], port: int = 0) -> ThreadingHTTPServer:
    """Start ``handler`` on 127.0.0.1 (``port`` 0 picks a free one); ``server.fake`` is ``fake``."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.fake = fake  # type: ignore[attr-defined]
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def shut_down(server: ThreadingHTTPServer | None, stopping: threading.Event) -> None:
    """Wake delayed answers (``stopping``), then stop accepting and close the socket."""
    stopping.set()
    if server is not None:
        server.shutdown()
        server.server_close()
