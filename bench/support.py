"""Shared plumbing of the benchmarks: the database, Django set-up, timing and tables.

Each bench gets its own database (a PostgreSQL database it creates, or a SQLite file) so
runs never touch development or test data, and drops it at the end unless told to keep it.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
SETTINGS_MODULE = "bench.settings"


def default_database_url(name: str) -> str:
    """``BENCH_DATABASE_URL`` if set, else a PostgreSQL database called ``name``."""
    return os.environ.get("BENCH_DATABASE_URL", f"{PG_SERVER}/{name}")


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def _admin_dsn(url: str) -> tuple[str, str]:
    """The maintenance database's DSN and the bench database's name, from ``url``."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url: str) -> None:
    """Create the PostgreSQL database if missing (SQLite files appear by themselves)."""
    if not is_postgres(url):
        return
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    """Drop the bench database (PostgreSQL) or delete its file (SQLite)."""
    from django.db import connections

    connections.close_all()
    if not is_postgres(url):
        path = urlsplit(url).path
        if path and path not in {"/", "/:memory:"}:
            Path(path).unlink(missing_ok=True)
        return
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    """Point Django at ``url`` with the bench settings, then migrate quietly."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    create_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def database_label() -> str:
    """``PostgreSQL 15.2`` or ``SQLite 3.40.1``, for the tables."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def analyze() -> None:
    """Refresh planner statistics after a bulk load, as autovacuum eventually would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_seconds(fn: Callable[[], object], *, runs: int, warmup: int = 1) -> float:
    """Median wall time over ``runs`` calls after ``warmup`` untimed ones (caches, plans)."""
    for _ in range(warmup):
        fn()
    return statistics.median(timed(fn) for _ in range(runs))


def machine() -> str:
    """CPUs, memory and Python, for the line under each table."""
    meminfo = Path("/proc/meminfo").read_text().split()
    gib = int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 / 1024
    return (
        f"{os.cpu_count()} CPUs, {gib:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (right-aligned numbers), so output pastes into docs/benchmarks.md."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in cells if r[i]) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + (":" if num else "-") for w, num in zip(widths, numeric, strict=True)]
    return "\n".join([line(headers), line(rule), *(line(r) for r in cells)])


def _is_number(text: str) -> bool:
    stripped = text.replace(",", "").replace("x", "").replace(" ", "")
    try:
        float(stripped)
    except ValueError:
        return False
    return True
