"""Tell whether a service the tests need is reachable; decide skip or fail by ``CI``.

Exit 0: reachable, run the tests. Exit 1: missing on a laptop, print why and let the caller
skip. Exit 2: missing under ``CI=true``, which must fail the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlsplit

DEFAULTS = {
    "postgres": ("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
    "redis": ("REDIS_URL", "redis://127.0.0.1:6379/0"),
}


def reachable(url: str) -> bool:
    """True when a TCP connection to the URL's host and port succeeds within 2 seconds."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            return True
    except OSError:
        return False


def main(service: str) -> int:
    variable, default = DEFAULTS[service]
    url = os.environ.get(variable, default)
    if reachable(url):
        return 0
    where = urlsplit(url)
    message = f"{service} is not reachable at {where.hostname}:{where.port}"
    if os.environ.get("CI", "").lower() == "true":
        print(f"FAIL: {message}; CI needs it.", file=sys.stderr)
        sys.exit(2)
    print(f"SKIP: {message}; its tests are skipped on this machine.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
