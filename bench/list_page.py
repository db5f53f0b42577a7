"""Benchmark: the application list page at 1k, 10k and 100k apps, against a stock admin.

Seeds N apps (1 or 2 API keys each, over 100 organizations, real ciphertext in the encrypted
columns), then fetches Keyport's changelist (``/admin/apps_registry/application/``) and the
floor's (a stock ``ModelAdmin`` of the same model on its own ``AdminSite``, see
``bench/floor_urls.py``) through Django's test ``Client`` as a superuser. For each it
reports the SQL queries per page (one captured request), the time those queries took, and
the median wall time over ``--runs`` requests after a warm-up. Exits non-zero if Keyport's
query count differs between sizes (the page must cost the same number of queries for 1k
or 100k apps) or a page does not answer 200 with the expected result count.

    .venv/bin/python bench/list_page.py                                 # PostgreSQL
    BENCH_DATABASE_URL=sqlite:////tmp/keyport-list.sqlite3 .venv/bin/python bench/list_page.py
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed, support

KEYPORT_LIST_URL = "/admin/apps_registry/application/"
FLOOR_LIST_URL = "/floor/apps_registry/application/"


@dataclass(frozen=True)
class PageFigures:
    queries: int
    sql_ms: float
    median_ms: float


def fetch(client: Any, url: str, apps: int) -> None:
    """One page; fails loudly if it is not the full changelist of ``apps`` apps."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"FAIL: {url} answered {response.status_code}")
    if f"{apps} applications".encode() not in response.content:
        raise SystemExit(f"FAIL: {url} does not list {apps} applications")


def measure(client: Any, url: str, apps: int, runs: int) -> PageFigures:
    """Queries (and their time) of one captured request, then the median of ``runs``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(client, url, apps)  # warm-up: templates, plans, caches
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url, apps)
    queries = captured.captured_queries  # read now: the next request resets the log
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    median = support.median_seconds(lambda: fetch(client, url, apps), runs=runs, warmup=0)
    return PageFigures(len(queries), sql_ms, median * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=support.default_database_url("keyport_bench"))
    parser.add_argument("--keep", action="store_true", help="keep the database (memory.py)")
    args = parser.parse_args()

    support.setup_django(args.database_url)
    from django.test import Client

    client = Client()
    client.force_login(seed.superuser())
    database = support.database_label()
    rows, keyport_queries = [], set()
    try:
        for size in sorted(args.sizes):
            seed.applications(size)
            support.analyze()
            keyport = measure(client, KEYPORT_LIST_URL, size, args.runs)
            floor = measure(client, FLOOR_LIST_URL, size, args.runs)
            keyport_queries.add(keyport.queries)
            rows.append(
                [
                    f"{size:,}",
                    database,
                    keyport.queries,
                    floor.queries,
                    f"{keyport.sql_ms:.0f}",
                    f"{floor.sql_ms:.0f}",
                    f"{keyport.median_ms:.1f}",
                    f"{floor.median_ms:.1f}",
                    f"{keyport.median_ms / floor.median_ms:.2f}x",
                ]
            )
            print(f"  measured {size:,} apps", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            support.drop_database(args.database_url)

    print(f"Application list page, median of {args.runs} requests after a warm-up")
    headers = ["apps", "database", "Keyport queries", "floor queries", "Keyport SQL ms"]
    headers += ["floor SQL ms", "Keyport median ms", "floor median ms", "ratio"]
    print(support.markdown_table(headers, rows))
    print(f"Machine: {support.machine()}")
    if len(keyport_queries) != 1:
        print(f"FAIL: Keyport's query count changes with the number of apps: {keyport_queries}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
