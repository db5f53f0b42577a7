"""A real Celery worker on a real Redis broker, for end-to-end tests.

``celery_worker_on_redis`` points the project's Celery app at Redis (``REDIS_URL``,
database 1 by default), purges the queue and runs ``start_worker`` in a thread. It is
module-scoped: stopping a threaded worker takes Celery ~4 s (its loop drains with a fixed
2 s timeout), so a test module pays that once. Under ``CI=true`` a missing Redis fails
the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")


def require_redis() -> str:
    """The Redis URL; a missing Redis fails in CI and skips (with a reason) elsewhere."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL} ({exc})"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the worker tests.")
        pytest.skip(f"{message}; start redis-server to run this test.")
    return REDIS_URL


def _reset_connections(app: Any) -> None:
    """Forget pooled connections so the next publish uses the current broker URL."""
    app._pool = None
    app.amqp._producer_pool = None


def _close_worker_connections(**kwargs: Any) -> None:
    """Runs in the worker thread after each task: let teardown flush and drop the test DB."""
    connections.close_all()


class TaskLog:
    """Names of tasks the worker finished, to wait on without a result backend."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str]] = []
        self.condition = threading.Condition()

    def record(self, sender: Any = None, state: str = "", **kwargs: Any) -> None:
        with self.condition:
            self.finished.append((getattr(sender, "name", ""), state))
            self.condition.notify_all()

    def wait_for(self, name: str, count: int = 1, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with self.condition:
            while sum(1 for n, _ in self.finished if n == name) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{name} did not finish {count} time(s) within {timeout}s.")
                self.condition.wait(left)


@pytest.fixture
def celery_task_log() -> Any:
    log = TaskLog()
    task_postrun.connect(log.record, weak=False)
    yield log
    task_postrun.disconnect(log.record)


@pytest.fixture(scope="module")
def celery_worker_on_redis() -> Any:
    from config.celery_app import app

    url = require_redis()
    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options")}
    app.conf.update(broker_url=url, broker_transport_options={"visibility_timeout": 3600})
    _reset_connections(app)
    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
            yield w
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.control.purge()
        app.conf.update(saved)
        _reset_connections(app)
