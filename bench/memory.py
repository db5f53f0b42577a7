"""Benchmark: peak RSS of a gunicorn worker after serving the 100k-app list page.

Seeds (or reuses, see ``list_page.py --keep``) a database of 100,000 apps, starts
``gunicorn config.wsgi:application`` with one sync worker on the production settings,
opens an admin session for the bench superuser (created directly in the session store and
sent as a cookie), fetches ``/admin/apps_registry/application/`` a few times, and reads the
worker's VmRSS and VmHWM (peak) from ``/proc``. Exits non-zero if the page fails or the
page raises the worker's peak by more than ``--max-growth-mib`` over its idle peak
(the page shows 100 rows; it must not hold the whole table in memory).

    .venv/bin/python bench/memory.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed, support

LIST_URL = "/admin/apps_registry/application/"


def session_cookie() -> str:
    """A logged-in admin session for the bench superuser, as a ``Cookie`` header value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = seed.superuser()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--max-growth-mib", type=float, default=64.0)
    parser.add_argument("--database-url", default=support.default_database_url("keyport_bench"))
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    support.setup_django(args.database_url)
    from django.conf import settings

    from apps_registry.models import Application
    from bench.gunicorn_worker import Gunicorn, collectstatic, proc_status, production_env

    seed.applications(args.apps)
    support.analyze()
    apps = Application.objects.count()
    database = support.database_label()
    cookie = session_cookie()
    env = production_env(args.database_url, settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEY)
    collectstatic(env)
    server = Gunicorn(env)
    rows, ok = [], True
    try:
        server.wait_ready()
        worker = server.worker_pid()
        idle = figures = proc_status(worker)
        rows.append(["after start-up and /healthz", "", mib(idle["VmRSS"]), mib(idle["VmHWM"])])
        for number in range(1, args.requests + 1):
            started = time.perf_counter()
            status, body = server.get(LIST_URL, cookie)
            elapsed_ms = (time.perf_counter() - started) * 1000
            ok = ok and status == 200 and f"{apps} applications".encode() in body
            figures = proc_status(worker)
            label = f"after list page request {number} (HTTP {status})"
            rows.append([label, f"{elapsed_ms:.0f}", mib(figures["VmRSS"]), mib(figures["VmHWM"])])
    finally:
        exit_code = server.stop()
        if not args.keep:
            support.drop_database(args.database_url)

    growth_mib = (figures["VmHWM"] - idle["VmHWM"]) / 1024
    print(f"gunicorn worker memory, {apps:,} apps, {database}, 1 sync worker, production settings")
    print(support.markdown_table(["moment", "request ms", "VmRSS MiB", "VmHWM (peak) MiB"], rows))
    print(f"Peak growth from the list page: {growth_mib:.1f} MiB; gunicorn exit code {exit_code}")
    print(f"Machine: {support.machine()}")
    if not ok or exit_code != 0:
        print("FAIL: a list page was not a 200 with every app counted, or gunicorn failed.")
        return 1
    if growth_mib > args.max_growth_mib:
        print(f"FAIL: the list page raised the worker's peak by over {args.max_growth_mib} MiB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
