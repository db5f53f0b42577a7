"""``/healthz`` (the process answers) and ``/readyz`` (it can do its job).

Readiness checks the database, the Celery broker, that migrations are applied and that the
encryption canary decrypts. Answers are small JSON objects and never name a secret or a URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

from apps_registry.checks import check_encryption_key

BROKER_TIMEOUT_SECONDS = 2
logger = logging.getLogger(__name__)


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _broker() -> bool:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    with Connection(settings.CELERY_BROKER_URL, transport_options=options) as connection:
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    return True


def _migrations() -> bool:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def _encryption() -> bool:
    return not check_encryption_key()


CHECKS: dict[str, Callable[[], bool]] = {
    "database": _database,
    "broker": _broker,
    "migrations": _migrations,
    "encryption": _encryption,
}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "fail"
        except Exception:  # any failure means "not ready"; the reason goes to the logs
            logger.warning("Readiness check %r failed", name, exc_info=True)
            results[name] = "fail"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "fail", "checks": results}, status=200 if ready else 503
    )
