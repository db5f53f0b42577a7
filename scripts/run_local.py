"""Run the web server and one Celery worker with embedded beat; one Ctrl-C stops both.

``make run`` calls it after migrating. It refuses to start when ``KEYPORT_ADDRESS`` (default
``127.0.0.1:8000``) is taken, makes sure an admin user exists, and once the web server answers
prints the admin URL and login in a short box, so they are not lost above the start-up logs.
Each child runs in its own process group. On
Ctrl-C or SIGTERM, or when one child exits, this supervisor sends SIGTERM to each child
(a warm shutdown for Celery, which stops its own pool and beat), waits a grace period,
then SIGKILLs whatever is left in each group (runserver's autoreloader child).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
GRACE_SECONDS = 15
ADDRESS = os.environ.get("KEYPORT_ADDRESS", "127.0.0.1:8000")
READY_TIMEOUT_SECONDS = 60
PORT_TAKEN_MESSAGE = (
    "Cannot start Keyport: {address} is already in use (another Keyport or another program). "
    "Stop it, or choose another address: make run KEYPORT_ADDRESS=127.0.0.1:8001"
)
BAD_ADDRESS_MESSAGE = (
    "KEYPORT_ADDRESS must be host:port, for example 127.0.0.1:8000 (got {address!r})."
)


def split_address(address: str) -> tuple[str, int]:
    """``("127.0.0.1", 8000)`` from ``127.0.0.1:8000``; ``ValueError`` for anything else."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(BAD_ADDRESS_MESSAGE.format(address=address))
    return host.strip("[]"), int(port)


def address_is_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port`` (we can bind it ourselves)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def local_url(host: str, port: int) -> str:
    """The URL this machine reaches the server on (``0.0.0.0`` listens everywhere)."""
    reach = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104
    return f"http://{reach}:{port}" if ":" not in reach else f"http://[{reach}]:{port}"


def ensure_admin() -> list[str]:
    """Run ``ensure_admin`` (its lines name the login, and the password on the first run)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "ensure_admin"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def wait_until_ready(url: str, web: subprocess.Popen[bytes]) -> bool:
    """Poll ``/healthz`` until the web server answers (False if it died or took too long)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline and web.poll() is None:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,  # noqa: S310
        ):
            if response.status == 200:
                return True
        time.sleep(0.5)
    return False


def login_box(url: str, admin_lines: list[str]) -> str:
    """The admin URL and login, framed so they stand out from the logs."""
    lines = [f"Keyport is running: {url}/admin/", *admin_lines]
    lines.append("Ctrl-C stops the web server, the worker and beat.")
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


def commands() -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "manage.py", "runserver", ADDRESS],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "--beat",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--schedule={VAR / 'celerybeat-schedule'}",
        ],
    }


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child (Celery stops its own pool), wait for the grace period, then
    SIGKILL whatever is left in its group (runserver's autoreloader child, a stuck task)."""
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        _kill_group(child)
        child.wait()


def main() -> int:
    try:
        host, port = split_address(ADDRESS)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if not address_is_free(host, port):
        print(PORT_TAKEN_MESSAGE.format(address=ADDRESS), file=sys.stderr)
        return 2
    admin_lines = ensure_admin()
    (VAR / "celery-queue").mkdir(parents=True, exist_ok=True)
    children = {
        name: subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # noqa: S603
        for name, cmd in commands().items()
    }

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        url = local_url(host, port)
        ready = wait_until_ready(url, children["web"])
        print(login_box(url, admin_lines) if ready else "\n".join(admin_lines), flush=True)
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        gone = [name for name, child in children.items() if child.poll() is not None]
        print(f"{', '.join(gone)} stopped; stopping the rest.", file=sys.stderr)
    except KeyboardInterrupt:
        print("Stopping web server and worker...", file=sys.stderr)
    stop(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
