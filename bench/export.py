"""Benchmark: exporting 1,000 apps against the floor of Fernet decryption alone.

Seeds 1,000 apps with two usable API keys each (plus three scopes and a redirect URL, as
an export reads them), then times the whole export as the export view runs it:
``export_objects`` (the scoped query with the source's prefetches; encrypted columns are
decrypted as rows load) and ``credentials_export(..., fmt="json")`` (rendering, the ZIP and
the audit row). The floor decrypts the same ciphertexts (each app's secret and keys, read
raw from the tables beforehand) with ``cryptography``'s ``MultiFernet`` and nothing else.

Runs at 100 and 1,000 apps and exits non-zero if the export's query count grows with the
number of apps (it must be constant) or the ZIP does not carry every app and key.

    .venv/bin/python bench/export.py
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed, support


@dataclass(frozen=True)
class ExportFigures:
    apps: int
    queries: int
    decryptions: int
    select_ms: float
    render_ms: float
    export_ms: float
    floor_ms: float


def export_once(user: Any, ids: list[int]) -> tuple[bytes, float]:
    """What the export view does after the password check; returns the body and the time
    spent selecting (query, prefetches and decryption) as opposed to rendering."""
    from apps_registry.actors import Actor
    from apps_registry.selectors import export_objects
    from apps_registry.services.export import credentials_export

    selected: dict[str, list[Any]] = {}
    select_s = support.timed(lambda: selected.update(export_objects(user, {"app": ids})))
    body = credentials_export(actor=Actor.for_user(user), selection=selected, fmt="json").body
    return body, select_s


def check_bundle(body: bytes, apps: int) -> int:
    """How many keys the ZIP carries; fails unless it holds one JSON file per app."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        files = [name for name in archive.namelist() if name != "manifest.json"]
        if len(files) != apps:
            raise SystemExit(f"FAIL: the export holds {len(files)} files for {apps} apps")
        return sum(len(json.loads(archive.read(name))["api_keys"]) for name in files)


def ciphertexts(ids: list[int]) -> list[bytes]:
    """The stored Fernet tokens of these apps' secrets and keys, read raw (no decryption)."""
    from django.db import connection

    marks = ", ".join(["%s"] * len(ids))
    tokens: list[bytes] = []
    with connection.cursor() as cursor:
        for sql in (
            f"SELECT secret FROM apps_registry_application WHERE id IN ({marks})",  # noqa: S608
            f"SELECT key FROM apps_registry_apikey WHERE application_id IN ({marks})",  # noqa: S608
        ):
            cursor.execute(sql, ids)
            tokens += [row[0].encode("ascii") for row in cursor.fetchall()]
    return tokens


def measure(user: Any, ids: list[int], runs: int) -> ExportFigures:
    """Queries of one export, then medians of the export, its parts and the floor."""
    from cryptography.fernet import Fernet, MultiFernet
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        body, _ = export_once(user, ids)
    keys = check_bundle(body, len(ids))
    selects, totals = [], []
    for _ in range(runs):
        total = support.timed(lambda: selects.append(export_once(user, ids)[1]))
        totals.append(total)
    tokens = ciphertexts(ids)
    if len(tokens) != len(ids) + keys:
        raise SystemExit(f"FAIL: {len(tokens)} ciphertexts but the export decrypted {keys} keys")
    fernet = MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEY])
    floor = support.median_seconds(lambda: [fernet.decrypt(t) for t in tokens], runs=runs)
    select, export = statistics.median(selects), statistics.median(totals)
    return ExportFigures(
        apps=len(ids),
        queries=len(captured),
        decryptions=len(tokens),
        select_ms=select * 1000,
        render_ms=(export - select) * 1000,
        export_ms=export * 1000,
        floor_ms=floor * 1000,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--database-url", default=support.default_database_url("keyport_bench_export")
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    support.setup_django(args.database_url)
    from apps_registry.models import Application

    seed.applications(
        max(args.sizes),
        keys_per_app=seed.two_keys,
        all_usable=True,
        scopes=3,
        redirect_urls=1,
    )
    support.analyze()
    user = seed.superuser()
    all_ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
    database = support.database_label()
    try:
        figures = [measure(user, all_ids[:size], args.runs) for size in sorted(args.sizes)]
    finally:
        if not args.keep:
            support.drop_database(args.database_url)

    rows = [
        [
            f"{f.apps:,}",
            database,
            f.queries,
            f"{f.select_ms:.0f}",
            f"{f.render_ms:.0f}",
            f"{f.export_ms:.0f}",
            f"{f.decryptions:,}",
            f"{f.floor_ms:.0f}",
            f"{f.export_ms / f.floor_ms:.1f}x",
        ]
        for f in figures
    ]
    print(f"Credentials export (JSON in a ZIP), median of {args.runs} runs")
    headers = ["apps", "database", "queries", "select+decrypt ms", "render+ZIP+audit ms"]
    headers += ["export ms", "Fernet decryptions", "floor ms", "ratio"]
    print(support.markdown_table(headers, rows))
    print(f"Machine: {support.machine()}")
    if len({f.queries for f in figures}) != 1:
        print("FAIL: the export's query count grows with the number of apps.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
