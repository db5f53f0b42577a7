"""Benchmark: one hourly renewal pass over 1,000 Mindbody connections.

The fake Mindbody from the test suite (a real HTTP server on 127.0.0.1) answers every call
after ``--latency`` seconds (50 ms by default). Every connection's token is due, so the
pass makes one ``POST /usertoken/renew`` per connection on ``MINDBODY_MAX_CONCURRENCY``
threads and writes each answer (row + audit event + the call budget's count) as it arrives.
The fake answers renew with ``{}`` (the contract's untyped object), so Keyport applies the
documented rule (current expiry + 24 h).

Prints, per concurrency setting: wall time of the pass, the peak number of calls in flight
(seen by Keyport and by the server) and the effective concurrency: the serial time
(connections x latency) divided by the wall time, i.e. the speed-up over one call at a
time, and the calls per site the server received. Exits non-zero if the configured
concurrency was not reached (or was exceeded), a token was not renewed, a site cost more than
one call, or the call budget did not count every call.

    .venv/bin/python bench/mindbody_renewal.py                      # SQLite in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mindbody_bench .venv/bin/python \
        bench/mindbody_renewal.py --concurrency 8 16 32
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import secrets
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection as db  # noqa: E402

from apps_registry.models import Organization  # noqa: E402
from connections import clients, services  # noqa: E402
from connections.models import (  # noqa: E402
    ConnectionStatus,
    MindbodyCallDay,
    MindbodySiteConnection,
)
from tests.fake_mindbody import SANDBOX, FakeMindbody, Token  # noqa: E402

API_KEY = "mbk_bench_0123456789abcdef0123456789"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def serve_fake(pipe: Connection, latency: float) -> None:
    """The fake Mindbody in its own process, so it never competes with Keyport for the GIL."""
    fake = FakeMindbody().start()
    fake.api_keys.add(API_KEY)
    fake.clock = lambda: NOW
    fake.latency = latency
    pipe.send(fake.url)
    while True:
        command, payload = pipe.recv()
        if command == "tokens":
            with fake.lock:
                fake.tokens.update({t: Token(SANDBOX, payload[1]) for t in payload[0]})
                fake.max_in_flight = 0
                fake.requests.clear()
            pipe.send(None)
        elif command == "peak":
            pipe.send(fake.max_in_flight)
        elif command == "requests":
            pipe.send(len(fake.requests))
        else:
            fake.stop()
            return


class RemoteFake:
    """The parent's handle on the fake server process."""

    def __init__(self, latency: float) -> None:
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=serve_fake, args=(child, latency), daemon=True
        )
        self.process.start()
        self.url: str = self.pipe.recv()

    def ask(self, command: str, payload: object = None) -> object:
        self.pipe.send((command, payload))
        return self.pipe.recv() if command != "stop" else None


def seed(organization: Organization, fake: RemoteFake, count: int) -> None:
    """``count`` connections whose tokens lapse in 2 hours, known to the fake server."""
    MindbodySiteConnection.objects.all().delete()
    expires = NOW + dt.timedelta(hours=2)
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    fake.ask("tokens", (tokens, expires))
    MindbodySiteConnection.objects.bulk_create(
        MindbodySiteConnection(
            organization=organization,
            name=f"Site {n:04d}",
            site_id=SANDBOX,
            api_key=API_KEY,
            staff_user_token=tokens[n],
            token_expires_at=expires,
            status=ConnectionStatus.ACTIVE,
        )
        for n in range(count)
    )


def one_pass(fake: RemoteFake, concurrency: int, count: int, latency: float) -> dict:
    settings.MINDBODY_MAX_CONCURRENCY = concurrency
    clients.default_client.cache_clear()
    started = time.perf_counter()
    report = services.mindbody_tokens_renew_due(now=NOW)
    wall = time.perf_counter() - started
    renewed = MindbodySiteConnection.objects.filter(token_renewals=1).count()
    counted = sum(MindbodyCallDay.objects.values_list("calls", flat=True))
    MindbodyCallDay.objects.all().delete()
    return {
        "calls_per_site": int(fake.ask("requests")) / count,  # type: ignore[call-overload]
        "counted": counted,
        "concurrency": concurrency,
        "wall_s": wall,
        "peak_client": report.peak_in_flight,
        "peak_server": fake.ask("peak"),
        "effective": count * latency / wall,
        "renewed": renewed,
        "failed": len(report.failures),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[settings.MINDBODY_MAX_CONCURRENCY]
    )
    args = parser.parse_args()

    fake = RemoteFake(args.latency)
    db.creation.create_test_db(verbosity=0, keepdb=False)
    settings.MINDBODY_API_BASE_URL = fake.url
    organization = Organization.objects.create(name="Bench", slug="bench")
    rows, ok = [], True
    try:
        for concurrency in args.concurrency:
            seed(organization, fake, args.connections)
            row = one_pass(fake, concurrency, args.connections, args.latency)
            rows.append(row)
            reached = row["peak_client"] == row["peak_server"] == concurrency
            counted = row["counted"] == args.connections  # the call budget saw every call
            ok = ok and reached and counted and row["renewed"] == args.connections
            ok = ok and row["failed"] == 0 and row["calls_per_site"] == 1
    finally:
        fake.ask("stop")
        db.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)

    latency_ms = args.latency * 1000
    print(f"Renewal pass: {args.connections} connections, {latency_ms:.0f} ms latency, {db.vendor}")
    print(f"Serial estimate: {args.connections * args.latency:.1f} s")
    header = (
        "concurrency | wall time (s) | peak in flight (Keyport / server) | effective | renewed"
        " | calls per site"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['concurrency']:>11} | {row['wall_s']:>13.2f} | "
            f"{row['peak_client']:>17} / {row['peak_server']:<14} | "
            f"{row['effective']:>8.1f}x | {row['renewed']}/{args.connections}"
            f" | {row['calls_per_site']:.2f}"
        )
    if not ok:
        print(
            "FAIL: the configured concurrency was not reached, a renewal failed, a site cost "
            "more than one call, or the call budget missed a call."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
