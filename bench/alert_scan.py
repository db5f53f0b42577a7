"""Benchmark the expiry-alert scan: 10k and 100k keys (100 per organization), ~1 % due.

Measures one scan (find due keys, claim rows) plus building every digest email (the part
of delivery that grows with the data; sending is network time). Prints wall time, SQL
queries and emails built, and exits 1 if a scaling promise breaks: the query count must
not grow with the number of keys, the time no faster than linearly. New alert rows are
inserted in as few statements as the backend allows: one on PostgreSQL; SQLite caps a
statement at 999 parameters (90 rows), so the "inserts" column there follows the due rows.

    .venv/bin/python bench/alert_scan.py            # PostgreSQL (BENCH_DATABASE_URL)
    BENCH_DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/alert_scan.py

It creates its own throwaway database (``test_<name>``) and drops it afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alerts_bench"
)

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps_registry.alerts.claims import expiry_alerts_scan  # noqa: E402
from apps_registry.alerts.delivery import as_alert_row  # noqa: E402
from apps_registry.alerts.digest import plan_digest  # noqa: E402
from apps_registry.models import ApiKey, Application, ExpiryAlert, Organization  # noqa: E402

NOW = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)
KEYS_PER_ORG, APPS_PER_ORG = 100, 5
SIZES = (10_000, 100_000)
REPEATS = 3
LEADS = [30, 7, 1]
TIME_SLACK = 1.5  # allowed factor over perfectly linear growth (noise, caches)


def populate(keys: int, rng: random.Random) -> None:
    """``keys`` keys: 1 % due, 9 % inside the window but already alerted, 90 % far out."""
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Org {i}", slug=f"org-{i}", alert_recipients=[f"ops{i}@org.test"])
        for i in range(keys // KEYS_PER_ORG)
    )
    apps = Application.objects.bulk_create(
        Application(
            organization=org,
            name=f"App {j}",
            uri="https://app.example.com",
            login_user_type="guest",
            source_app="bot",
            application_id=f"{org.pk}-{j}",
            secret="bench-secret",  # noqa: S106
            contact_emails=[f"dev{j}@org{org.pk}.test"],
        )
        for org in orgs
        for j in range(APPS_PER_ORG)
    )
    rows, alerts = [], []
    for n in range(keys):
        draw = rng.random()
        if draw < 0.01:
            days = rng.uniform(-3, 29.9)  # due: crossed a lead time, never told
        elif draw < 0.10:
            days = rng.uniform(1.5, 29.9)  # told already
        else:
            days = rng.uniform(31, 365)
        rows.append(
            ApiKey(
                application=apps[n % len(apps)],
                prefix=f"kp_{n:09d}",
                key="kp_bench.not-a-real-key",
                key_digest=f"{n:064d}",
                expires_at=NOW + dt.timedelta(days=days),
            )
        )
        if 0.01 <= draw < 0.10:
            alerts.append((n, [lead for lead in LEADS if days <= lead]))
    created = ApiKey.objects.bulk_create(rows, batch_size=5000)
    ExpiryAlert.objects.bulk_create(
        (
            ExpiryAlert(
                api_key=created[n],
                threshold_days=lead,
                expires_at=created[n].expires_at,
                status="sent",
                sent_at=NOW,
            )
            for n, leads in alerts
            for lead in leads
        ),
        batch_size=5000,
    )


def build_digests(claims: list[str]) -> int:
    """Every organization's digest messages, from one query over the claimed rows."""
    by_org: dict[int, list[ExpiryAlert]] = defaultdict(list)
    rows = (
        ExpiryAlert.objects.filter(claim__in=claims)
        .select_related("api_key__application__organization")
        .only(
            "expires_at",
            "recipients",
            "api_key__prefix",
            "api_key__application__name",
            "api_key__application__contact_emails",
            "api_key__application__organization__name",
            "api_key__application__organization__alert_recipients",
        )
    )
    for alert in rows:
        by_org[alert.api_key.application.organization_id].append(alert)
    emails = 0
    for alerts in by_org.values():
        org = alerts[0].api_key.application.organization
        plan = plan_digest(
            organization_name=org.name,
            org_recipients=org.alert_recipients,
            rows=[as_alert_row(a) for a in alerts],
            now=NOW,
        )
        emails += len(plan.messages)
    return emails


def measure() -> dict[str, float]:
    """One scan + digests, rolled back so every repeat sees the same data."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = expiry_alerts_scan(now=NOW)
        emails = build_digests(sorted({b.claim for b in report.batches}))
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    inserts = sum(1 for q in queries.captured_queries if q["sql"].startswith("INSERT"))
    return {
        "due": len(report.due),
        "rows": report.created,
        "emails": emails,
        "queries": len(queries) - inserts,
        "inserts": inserts,
        "seconds": elapsed,
    }


def min_insert_batches(rows: float) -> int:
    """Fewest INSERT statements Django can use for ``rows`` alert rows on this backend
    (1 on PostgreSQL; SQLite is capped at 999 parameters per statement)."""
    fields = [f for f in ExpiryAlert._meta.concrete_fields if not f.primary_key]
    per_batch = connection.ops.bulk_batch_size(fields, [None] * int(rows)) or 1
    return -(-int(rows) // per_batch)


def main() -> int:
    creation = connection.creation
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    results: dict[int, dict[str, float]] = {}
    try:
        for size in SIZES:
            with transaction.atomic():
                populate(size, random.Random(size))
                runs = [measure() for _ in range(REPEATS)]
                transaction.set_rollback(True)
            results[size] = {**runs[0], "seconds": statistics.median(r["seconds"] for r in runs)}
    finally:
        creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    print(f"Database: {connection.vendor}; {os.cpu_count()} CPUs; median of {REPEATS} runs\n")
    header = ("keys", "orgs", "due keys", "alert rows", "emails", "queries", "inserts", "wall s")
    widths = (8, 6, 9, 11, 7, 8, 8, 8)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for size, r in results.items():
        cells = (size, size // KEYS_PER_ORG, r["due"], r["rows"], r["emails"], r["queries"])
        print(" ".join(f"{c:>{w}.0f}" for c, w in zip(cells, widths, strict=False)), end=" ")
        print(f"{r['inserts']:>8.0f} {r['seconds']:>8.3f}")
    small, large = (results[s] for s in SIZES)
    growth = SIZES[1] / SIZES[0]
    failures = []
    if large["queries"] > small["queries"]:
        failures.append(f"query count grew from {small['queries']:.0f} to {large['queries']:.0f}")
    for size, r in results.items():
        if r["inserts"] > min_insert_batches(r["rows"]):
            failures.append(f"{size} keys: {r['inserts']:.0f} INSERT statements, not batched")
    if large["seconds"] > small["seconds"] * growth * TIME_SLACK:
        failures.append(
            f"time grew {large['seconds'] / small['seconds']:.1f}x for {growth:.0f}x keys"
        )
    print(f"\nTime ratio {large['seconds'] / small['seconds']:.1f}x for {growth:.0f}x keys.")
    for failure in failures:
        print(f"SCALING PROMISE BROKEN: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
