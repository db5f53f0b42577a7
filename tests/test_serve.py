"""scripts/serve.py: the commands compose runs and the healthchecks it asks, in isolation.

The smoke test runs them for real; these pin the details a failing deployment would hinge on
(beat's stale pidfile, the Host header of the web healthcheck, Celery's node name).
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support_compose import ROOT, load_serve

serve = load_serve()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KEYPORT_WEB_BIND", "CELERY_WORKER_HOSTNAME", "KEYPORT_BEAT_PIDFILE"):
        monkeypatch.delenv(name, raising=False)


def test_commands_exec_gunicorn_and_celery_from_this_interpreter(clean_env):
    gunicorn = serve.gunicorn_argv()
    assert gunicorn[:4] == [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    assert "--bind=0.0.0.0:8000" in gunicorn and "--no-control-socket" in gunicorn
    worker = serve.worker_argv()
    assert worker[:6] == [sys.executable, "-m", "celery", "-A", "config", "worker"]
    assert "--beat" not in worker and "-B" not in worker
    assert f"--hostname=worker@{socket.gethostname()}" in worker
    beat = serve.beat_argv()
    assert beat[:6] == [sys.executable, "-m", "celery", "-A", "config", "beat"]
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat
    assert f"--pidfile={ROOT / 'var' / 'celerybeat.pid'}" in beat


def test_empty_variables_mean_the_default(monkeypatch):
    """Compose passes ``NAME=`` from .env as an empty string, not as unset."""
    monkeypatch.setenv("WEB_CONCURRENCY", "")
    monkeypatch.setenv("KEYPORT_WEB_BIND", "")
    assert "--workers=3" in serve.gunicorn_argv()
    assert "--bind=0.0.0.0:8000" in serve.gunicorn_argv()


def test_a_stale_pidfile_naming_a_live_process_is_removed(tmp_path):
    pidfile = tmp_path / "run" / "celerybeat.pid"
    pidfile.parent.mkdir()
    pidfile.write_text(f"{os.getpid()}\n")
    serve.remove_stale_pidfile(pidfile)
    assert not pidfile.exists()
    serve.remove_stale_pidfile(tmp_path / "missing" / "celerybeat.pid")  # no pidfile: fine


def test_beat_health_follows_the_process_in_its_pidfile(tmp_path, monkeypatch):
    pidfile = tmp_path / "celerybeat.pid"
    monkeypatch.setenv("KEYPORT_BEAT_PIDFILE", str(pidfile))
    assert serve.beat_health() is False
    pidfile.write_text(f"{os.getpid()}\n")
    assert serve.beat_health() is True
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pidfile.write_text(finished.stdout)
    assert serve.beat_health() is False
    pidfile.write_text("not a pid")
    assert serve.beat_health() is False


class ReadyHandler(http.server.BaseHTTPRequestHandler):
    hosts: list[str] = []
    status = 200

    def do_GET(self) -> None:
        type(self).hosts.append(f"{self.headers['Host']} {self.path}")
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def ready_server(monkeypatch) -> Iterator[type[ReadyHandler]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ReadyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KEYPORT_WEB_BIND", f"0.0.0.0:{server.server_address[1]}")
    ReadyHandler.hosts, ReadyHandler.status = [], 200
    yield ReadyHandler
    server.shutdown()
    server.server_close()


def test_web_health_asks_readyz_as_the_first_allowed_host(ready_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", ".keyport.example.com, other.example.com")
    assert serve.web_health() is True
    assert ready_server.hosts == ["keyport.example.com /readyz"]
    ready_server.status = 503
    assert serve.web_health() is False


def test_web_health_is_false_when_nothing_listens(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("KEYPORT_WEB_BIND", f"127.0.0.1:{port}")
    assert serve.web_health() is False


def test_unknown_commands_print_the_usage():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), "nonsense"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "usage: serve.py" in result.stderr


def test_web_without_its_secrets_stops_before_gunicorn(tmp_path: Path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "KEYPORT_IGNORE_ENV_FILE": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), "web"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.startswith("Keyport refuses to start:")
        and "DJANGO_SECRET_KEY" in result.stderr
    )
    assert "Traceback" not in result.stderr and "Starting gunicorn" not in result.stdout
