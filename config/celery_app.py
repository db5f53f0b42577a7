"""The Celery application; settings come from Django under the ``CELERY_`` prefix.

Tasks live in each app's ``tasks.py`` (autodiscovered), are thin, take ids and call
services. The schedule lives in the database (django-celery-beat) so operators can change
it in the admin. A worker (and beat) refuses to start when Keyport's system checks fail,
e.g. a wrong ``FIELD_ENCRYPTION_KEY``: Celery only logs errors raised by signal handlers,
so the handler exits the process itself.

Logging: the worker and beat use Django's ``LOGGING`` (the redaction filter, request ids,
``LOG_FORMAT=json``) instead of Celery's own root handler. The worker is where Mindbody
calls and email sending run, and Celery logs task arguments when a task fails.
"""

import os
import sys
from typing import Any

from celery import Celery
from celery.signals import beat_init, setup_logging, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("keyport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REFUSED_MESSAGE = "Keyport refuses to start the Celery {what}:"


def refuse_on_failed_checks(what: str) -> None:
    """Run Keyport's own system checks; print the errors and exit when any fails."""
    from django.core import checks

    errors = [m for m in checks.run_checks(tags=["keyport"]) if m.is_serious()]
    if errors:
        lines = [REFUSED_MESSAGE.format(what=what), *(f"  {m.id}: {m.msg}" for m in errors)]
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(1)


@worker_init.connect
def _check_before_worker(**kwargs: Any) -> None:
    refuse_on_failed_checks("worker")


@beat_init.connect
def _check_before_beat(**kwargs: Any) -> None:
    refuse_on_failed_checks("beat")


@setup_logging.connect
def _use_django_logging(**kwargs: Any) -> None:
    """Connected, this replaces Celery's logging set-up (it no longer hijacks the root)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
