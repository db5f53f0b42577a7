"""Test settings: fixed throwaway keys so the suite needs no ``.env``.

``DATABASE_URL`` selects the database (SQLite in memory by default; the PostgreSQL pass
sets it to the machine's server).
"""

import os

os.environ.setdefault("KEYPORT_IGNORE_ENV_FILE", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEY",
    "DrQmraq76qz4NidNxlBFwPdwKNTUNTd-xoNtk4dJRko=,hLkdRMuKOH08UGIJRj1KJs9StpLhkwsWaOhTmBylxyE=",
)
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
# Tasks queued by code under test go to an in-memory broker; the worker tests point the
# app at Redis themselves (tests/support_celery.py).
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# A closed port: a test that forgets the fake Zenoti gets "could not reach" at once, never
# a call to the real Zenoti.
ZENOTI_API_BASE_URL = "http://127.0.0.1:9"
ZENOTI_CONNECT_TIMEOUT = 0.5
