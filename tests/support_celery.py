"""A real Celery worker on a real Redis broker, for end-to-end tests.

``celery_worker_on_redis`` points the project's Celery app at Redis (``REDIS_URL``,
database 1 by default) with a queue of its own per test process (leftovers from an
interrupted run are never consumed), results in Redis, and runs
``start_worker`` in a thread. It is module-scoped: stopping a threaded worker takes Celery
~4 s, so a test module pays that once. Keyport's tasks ignore results (production has no
result backend); a test that wants one asks with ``apply_async(..., ignore_result=False)``. Tasks run in the worker thread with their own
database connection: tests need ``django_db(transaction=True)`` and a database other than
SQLite in memory (mark them ``postgres_only``). Under ``CI=true`` a missing Redis fails the
test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from kombu import pools as kombu_pools

from tests.support_services import IN_CI, require_reachable

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
QUEUE = f"keyport-test-{uuid.uuid4().hex[:12]}"


def require_redis() -> str:
    """The Redis URL; unreachable Redis fails in CI and skips (with a reason) elsewhere."""
    return require_reachable(
        "Redis",
        REDIS_URL,
        needed_by="the Celery worker tests",
        hint="start Redis (or set REDIS_URL) to run this test",
        in_ci=IN_CI,
    )


def _forget_connections(app: Any) -> None:
    """Drop cached broker pools and the result backend so the next use reads ``app.conf``."""
    kombu_pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _close_worker_connections(**kwargs: Any) -> None:
    """Runs in the worker thread after each task: let teardown flush and drop the test DB."""
    connections.close_all()


class TaskLog:
    """Names of tasks the worker finished, to wait on without polling the database."""

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
def celery_task_log() -> Iterator[TaskLog]:
    log = TaskLog()
    task_postrun.connect(log.record, weak=False)
    yield log
    task_postrun.disconnect(log.record)


@pytest.fixture(scope="module")
def celery_worker_on_redis(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """Celery's Django fix-up runs the system checks (the key canary reads the database) when
    the worker starts, so the worker starts with database access unblocked."""
    from config.celery_app import app

    url = require_redis()
    changes = {
        "broker_url": url,
        "broker_transport_options": {"visibility_timeout": 3600},
        "result_backend": url,
        "task_default_queue": QUEUE,
        "task_ignore_result": False,
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": False,
    }
    saved = {name: app.conf.get(name) for name in changes}
    app.conf.update(changes)
    _forget_connections(app)
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with (
            django_db_blocker.unblock(),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w,
        ):
            yield w
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.conf.update(saved)
        _forget_connections(app)
        connections.close_all()
