"""A gunicorn master with one sync worker, for measuring what a worker holds in memory.

Production settings need their secrets from the environment; the bench passes the keys
its data was written with, so sessions and encrypted columns read back in the worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.support import ROOT

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
STATUS_FIELDS = ("VmRSS", "VmHWM")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(database_url: str, secret_key: str, field_keys: list[str]) -> dict[str, str]:
    """The environment production settings demand, pointed at the bench database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        KEYPORT_IGNORE_ENV_FILE="true",
        DJANGO_SECRET_KEY=secret_key,
        FIELD_ENCRYPTION_KEY=",".join(field_keys),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_URL="consolemail://",
        SITE_URL="http://127.0.0.1",
        DATABASE_URL=database_url,
        DJANGO_SECURE_SSL_REDIRECT="false",
        ADMIN_REQUIRE_2FA="false",
        LOG_LEVEL="WARNING",
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    """Production serves hashed static names from a manifest, so it must exist first."""
    command = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic"]
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [*command, "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of ``pid`` in KiB, from ``/proc/<pid>/status``."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in STATUS_FIELDS:
            figures[name] = int(value.split()[0])
    return figures


class Gunicorn:
    """``gunicorn config.wsgi:application`` with sync workers (one by default) on a free port."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        argv = [str(GUNICORN), "config.wsgi:application", "--workers", str(workers)]
        argv += ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--timeout", "300"]
        argv += ["--no-control-socket", "--log-level", "warning"]
        self.master = subprocess.Popen(argv, cwd=ROOT, env=env)  # noqa: S603 - fixed argv

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.master.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.master.returncode}")
            try:
                status, _ = self.get("/healthz")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def worker_pid(self) -> int:
        """The one worker: the master's only child process."""
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children").read_text()
        pids = [int(pid) for pid in children.split()]
        if len(pids) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {pids}")
        return pids[0]

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + path)  # noqa: S310 - http on loopback
        if cookie:
            request.add_header("Cookie", cookie)
        try:
            with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read()

    def stop(self) -> int:
        """Graceful shutdown (SIGTERM lets the worker finish), then wait for the master."""
        if self.master.poll() is None:
            self.master.send_signal(signal.SIGTERM)
            try:
                self.master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.master.kill()
                self.master.wait()
        return int(self.master.returncode)
