"""Whether a service a test needs is up: under ``CI=true`` a missing one fails the test,
elsewhere the test is skipped with the reason (the project's rule for every real service)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_reachable(
    name: str, url: str, *, needed_by: str, hint: str, in_ci: bool = IN_CI
) -> str:
    """``url`` when a TCP connection to its host and port succeeds within 2 seconds."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 2):
            return url
    except OSError:
        message = f"{name} is not reachable at {parts.hostname}:{parts.port}"
    if in_ci:
        pytest.fail(f"{message}; CI must run {needed_by}.")
    pytest.skip(f"{message}; {hint}.")
