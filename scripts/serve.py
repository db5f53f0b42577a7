"""Keyport's production processes, in one place for docker-compose and the smoke test.

    python scripts/serve.py release            check --deploy, migrate, setup_periodic_tasks
    python scripts/serve.py web                release, then gunicorn (WhiteNoise serves static)
    python scripts/serve.py worker             one Celery worker
    python scripts/serve.py beat               Celery beat (database schedule), stale pidfile gone
    python scripts/serve.py healthcheck NAME   exit 0 when web, worker or beat is healthy

``docker-compose.yml`` runs exactly these commands and healthchecks, and
``tests/test_production_smoke.py`` reads them from that file and runs them natively, so what CI
proves is what a deployment runs. Long-running commands ``exec`` into gunicorn or Celery so
signals (``docker compose stop``) reach them directly. Tuning comes from the environment; every
variable is documented in ``.env.example``.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BIND = "0.0.0.0:8000"
DEFAULT_WORKER_NAME = "worker@%h"
DEFAULT_PIDFILE = ROOT / "var" / "celerybeat.pid"
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEALTH_TIMEOUT_SECONDS = 5.0
USAGE = "usage: serve.py release|web|worker|beat|healthcheck web|worker|beat"


def _setting(name: str, default: str) -> str:
    """An environment variable, with empty meaning "use the default" (as compose passes it)."""
    return os.environ.get(name) or default


def web_bind() -> str:
    return _setting("KEYPORT_WEB_BIND", DEFAULT_BIND)


def worker_name() -> str:
    """The Celery node name; ``%h`` is this host, so the healthcheck can address the worker."""
    return _setting("CELERY_WORKER_HOSTNAME", DEFAULT_WORKER_NAME).replace(
        "%h", socket.gethostname()
    )


def beat_pidfile() -> Path:
    return Path(_setting("KEYPORT_BEAT_PIDFILE", str(DEFAULT_PIDFILE)))


def gunicorn_argv() -> list[str]:
    """No control socket: gunicorn's default is one per user (~/.gunicorn), which two
    instances on one machine would share and a container user without a home cannot create."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind={web_bind()}",
        f"--workers={_setting('WEB_CONCURRENCY', '3')}",
        f"--timeout={_setting('GUNICORN_TIMEOUT', '30')}",
        "--access-logfile=-",
        "--no-control-socket",
    ]


def worker_argv() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        f"--hostname={worker_name()}",
        f"--concurrency={_setting('CELERY_WORKER_CONCURRENCY', '2')}",
    ]


def beat_argv() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "beat",
        "--loglevel=INFO",
        f"--scheduler={BEAT_SCHEDULER}",
        f"--pidfile={beat_pidfile()}",
    ]


def release() -> None:
    """What must hold before anything serves: ``check --deploy`` (a wrong encryption key or a
    missing secret stops here), then migrations and the beat schedule (both idempotent)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("check", deploy=True)
    call_command("migrate", interactive=False, verbosity=1)
    call_command("setup_periodic_tasks")
    from django.db import connections

    connections.close_all()


def remove_stale_pidfile(pidfile: Path) -> None:
    """Beat refuses to start while its pidfile names a live process; after a container restart
    that pid often belongs to someone else. One beat per deployment, so any pidfile is stale."""
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.unlink(missing_ok=True)


def _exec(argv: list[str]) -> None:
    os.chdir(ROOT)
    sys.stdout.flush()
    os.execv(argv[0], argv)  # noqa: S606 - argv is built above, never from user input


def web_health() -> bool:
    """``/readyz`` answers 200: database, broker, migrations and encryption key are fine.
    Sent as the first allowed host would be, since Django rejects unknown Host headers."""
    port = web_bind().rsplit(":", 1)[-1]
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and "*" not in h), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=HEALTH_TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def worker_health() -> bool:
    """``celery inspect ping`` addressed to this container's worker, without a second process."""
    sys.path.insert(0, str(ROOT))
    from config.celery_app import app

    replies = app.control.ping(destination=[worker_name()], timeout=HEALTH_TIMEOUT_SECONDS)
    return bool(replies)


def beat_health() -> bool:
    """Beat writes its pidfile once it runs; the process it names must be alive."""
    try:
        os.kill(int(beat_pidfile().read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


HEALTHCHECKS: dict[str, Callable[[], bool]] = {
    "web": web_health,
    "worker": worker_health,
    "beat": beat_health,
}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    command = argv[0] if argv else ""
    if command == "healthcheck" and len(argv) == 2 and argv[1] in HEALTHCHECKS:
        return 0 if HEALTHCHECKS[argv[1]]() else 1
    if command in ("release", "web"):
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import CommandError

        try:
            release()
        except (CommandError, ImproperlyConfigured) as exc:  # a missing secret, a wrong key
            print(f"Keyport refuses to start: {exc}", file=sys.stderr)
            return 1
        if command == "web":
            _exec(gunicorn_argv())
        return 0
    if command == "worker":
        _exec(worker_argv())
    if command == "beat":
        remove_stale_pidfile(beat_pidfile())
        _exec(beat_argv())
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
