"""A real ``celery worker`` logs through Keyport's LOGGING: JSON lines, request ids, redaction.

Celery logs a message's whole body when it cannot run it (an unregistered task name), so a
secret in a task's arguments reaches the worker's log unless Keyport's redaction filter is
on the worker's handlers. The test starts the worker as its own process on Redis, sends it
such a message, and reads what the worker printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from celery import Celery
from cryptography.fernet import Fernet

from plumbing.log_redaction import REDACTED
from tests.support_celery import require_redis

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")
PASSWORD = "hunter2-worker-secret"


def _start_worker(broker: str, queue: str, database: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_BROKER_URL": broker,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    command = [CELERY, "-A", "config", "--quiet", "worker", "--pool=solo", "-Q", queue]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _read_until(worker: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert worker.stdout is not None
    os.set_blocking(worker.stdout.fileno(), False)
    while time.monotonic() < deadline:
        chunk = worker.stdout.readline()
        if chunk:
            lines.append(chunk.rstrip("\n"))
            if needle in chunk:
                return lines
        elif worker.poll() is not None:
            break
        else:
            time.sleep(0.05)
    raise AssertionError(f"worker never logged {needle!r}; it printed:\n" + "\n".join(lines))


def test_worker_logs_are_json_with_request_ids_and_redacted(tmp_path, monkeypatch):
    broker = require_redis()
    monkeypatch.setenv("CELERY_BROKER_URL", broker)  # Celery prefers it to broker=
    queue = f"keyport-logging-{uuid.uuid4().hex[:10]}"
    token = Fernet(Fernet.generate_key()).encrypt(b"a stored secret").decode()
    worker = _start_worker(broker, queue, tmp_path / "worker.sqlite3")
    try:
        _read_until(worker, "ready", timeout=30)
        with Celery(broker=broker) as sender:
            sender.send_task(
                "keyport.no_such_task", args=[f"password={PASSWORD}", token], queue=queue
            )
        lines = _read_until(worker, "no_such_task", timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    printed = "\n".join(lines)
    assert PASSWORD not in printed and token not in printed
    entries = [json.loads(line) for line in lines if line.strip()]
    unregistered = [e for e in entries if "no_such_task" in e["message"]]
    assert unregistered and REDACTED in unregistered[0]["message"]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(e) for e in entries)
