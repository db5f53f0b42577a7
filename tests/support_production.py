"""Services and settings of the production smoke test: this machine's PostgreSQL and Redis
(failing under ``CI=true`` when missing, skipped elsewhere), a database and a queue of the run's
own so parallel runs never meet, and the environment a deployment's ``.env`` would hold."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from cryptography.fernet import Fernet

from tests.support_compose import service
from tests.support_services import require_reachable

REDIS_DATABASE = 3
SITE_URL = "https://keyport.smoke.test"
FROM_EMAIL = "keyport@smoke.test"


def require(service_name: str, url: str) -> str:
    """``url`` when its server answers; fail under CI, skip elsewhere."""
    return require_reachable(
        service_name,
        url,
        needed_by="the production smoke test",
        hint="start it to run the production smoke test",
    )


def postgres_server() -> str:
    """The PostgreSQL server of this test pass (``make test`` sets DATABASE_URL to it)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    return require("PostgreSQL", url)


def redis_url() -> str:
    server = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return require("Redis", f"redis://{server.netloc}/{REDIS_DATABASE}")


@contextlib.contextmanager
def fresh_database(server: str, name: str) -> Iterator[str]:
    """A new, empty database for this run, dropped afterwards whatever happened."""
    admin_url = urlsplit(server)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def forget_queue(url: str, queue: str) -> None:
    """Remove what this run left in Redis (its queue and Kombu's bindings for it)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)


def production_env(
    *, database_url: str, broker_url: str, run: str, smtp_port: int, web_port: int, pidfile: Path
) -> dict[str, str]:
    """What .env would hold, plus the compose file's own ``environment:``. Only PATH and
    HOME come from this process, so a developer's .env or shell cannot leak in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        **service("web")["environment"],
        "KEYPORT_IGNORE_ENV_FILE": "true",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": run,
        "CELERY_WORKER_HOSTNAME": f"{run}@%h",
        "CELERY_WORKER_CONCURRENCY": "2",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": FROM_EMAIL,
        "SITE_URL": SITE_URL,
        "KEYPORT_WEB_BIND": f"127.0.0.1:{web_port}",
        "WEB_CONCURRENCY": "2",
        "KEYPORT_BEAT_PIDFILE": str(pidfile),
        "KEYPORT_TRUSTED_PROXIES": "1",
        "ADMIN_REQUIRE_2FA": "false",
    }
