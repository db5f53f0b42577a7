"""A real Celery worker on Redis for tests that must prove a task runs end to end.

The worker is Celery's embedded test worker (a thread, ``solo`` pool) on the project's app,
pointed at Redis (``REDIS_URL``, default database 2) and a queue of its own, so leftovers
from another run are never consumed. Tasks run in the worker thread with their own database
connection, so tests need ``django_db(transaction=True)`` and a database other than SQLite
in memory (mark them ``postgres_only``). Missing Redis fails under ``CI=true``, else skips.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from kombu import pools as kombu_pools

from config.celery_app import app as celery_app

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")
IN_CI = os.environ.get("CI", "").lower() == "true"
# One queue per test process: Celery caches its queue set, and a fresh name per process
# keeps messages left over by an interrupted run (or another checkout) out of this one.
QUEUE = f"keyport-test-{uuid.uuid4().hex[:12]}"


def require_redis() -> str:
    """The Redis URL; unreachable Redis fails in CI and skips (with a reason) elsewhere."""
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return REDIS_URL
    except OSError:
        message = f"Redis is not reachable at {parts.hostname}:{parts.port}"
    if IN_CI:
        pytest.fail(f"{message}; CI must run the Celery worker tests.")
    pytest.skip(f"{message}; start Redis (or set REDIS_URL) to run this test.")


def _forget_connections(app: Any) -> None:
    """Drop cached broker pools and the result backend so the next use reads ``app.conf``."""
    kombu_pools.reset()  # closes every pooled broker connection and forgets the pools
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_worker_on_redis(transactional_db: Any) -> Iterator[Any]:
    """Yield a running worker; ``task.apply_async()`` reaches it and ``.get()`` waits for it."""
    url = require_redis()
    changes = {
        "broker_url": url,
        "result_backend": url,
        "task_default_queue": QUEUE,
        "task_ignore_result": False,
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": False,
    }
    saved = {name: celery_app.conf.get(name) for name in changes}
    celery_app.conf.update(changes)
    _forget_connections(celery_app)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False) as worker:
            yield worker
    finally:
        celery_app.conf.update(saved)
        _forget_connections(celery_app)
        connections.close_all()
