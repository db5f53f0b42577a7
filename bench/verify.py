"""Benchmark: ``POST /api/v1/keys/verify`` against a floor and djangorestframework-api-key.

Seeds 10,000 and then 100,000 API keys (one per app, real Fernet ciphertext, 100
organizations) in a PostgreSQL database of its own, starts gunicorn (sync workers) on the
production settings with ``bench/verify_settings.py`` (which only mounts the two floors and
DRF, see ``bench/verify_urls.py``), and loads each endpoint from a second process, ``wrk``
(``apt-get install -y wrk``), at 1, 8 and 32 connections, each run bounded in time
(``--seconds``) and in count (``--max-requests``). Every request presents a real, valid key
of the verifier's organization, cycling through ``--sample`` of them.

It reports throughput and p50/p99 latency per endpoint and Keyport's ratio to each floor (goal:
latency within 1.2x, throughput at least 0.85x), the Fernet decryptions one verification
makes (counted in this process over 1,000 verifications through Django's test client; goal
0) and the database rows written per 1,000 verifications under load (counted exactly by a
bench-only trigger on the key and verifier tables), with the same as rows per cycled key per
started minute (goal: at most 1, the stamp's once-a-minute rule).

djangorestframework-api-key is not a Keyport dependency (it is in neither lock); the bench
installs it into the venv when it is missing, the same as running
``.venv/bin/pip install djangorestframework djangorestframework-api-key``.

    .venv/bin/python bench/verify.py            # about 15 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import support, verify_seed
from bench.wrk_load import Load, run

ENDPOINTS = {
    "floor": "/floor/keys/verify",
    "floor-prepared": "/floor-prepared/keys/verify",
    "keyport": "/api/v1/keys/verify",
    "drf-api-key": "/drf/keys/verify",
}
# The floor (Django's ORM, one indexed SELECT) and the strictest one (the same SELECT
# as a prepared statement on Keyport's own cursor); Keyport is reported against both.
FLOORS = ("floor", "floor-prepared")
LATENCY_GOAL, THROUGHPUT_GOAL = 1.2, 0.85


def ensure_drf() -> None:
    if importlib.util.find_spec("rest_framework_api_key") is None:
        pip = [sys.executable, "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "djangorestframework", "djangorestframework-api-key"], check=True)  # noqa: S603


def _median(loads: list[Load], attribute: str) -> float:
    return statistics.median(getattr(load, attribute) for load in loads)


GOALS_MET: dict[str, list[bool]] = {floor: [] for floor in FLOORS}


def _meets_goals(p50: float, p99: float, rps: float, floor: list[Load]) -> bool:
    return (
        p50 <= LATENCY_GOAL * _median(floor, "p50_ms")
        and p99 <= LATENCY_GOAL * _median(floor, "p99_ms")
        and rps >= THROUGHPUT_GOAL * _median(floor, "rps")
    )


def _ratio(p50: float, p99: float, rps: float, floor: list[Load]) -> str:
    """p50, p99 and throughput against a floor's medians, as the goal is stated."""
    return (
        f"{p50 / _median(floor, 'p50_ms'):.2f}x / {p99 / _median(floor, 'p99_ms'):.2f}x / "
        f"{rps / _median(floor, 'rps'):.2f}x"
    )


def load_all(
    server_url: str, data: verify_seed.BenchData, args: argparse.Namespace
) -> list[list[object]]:
    """Each connection count: ``--rounds`` rounds of floor, Keyport, DRF in turn (so a busy
    moment of the machine hits all three alike); the table shows the medians."""
    rows: list[list[object]] = []
    for connections in args.connections:
        loads: dict[str, list[Load]] = {name: [] for name in ENDPOINTS}
        written, counted, started = 0, 0, time.monotonic()
        for _ in range(args.rounds):
            for name, path in ENDPOINTS.items():
                kwargs: dict[str, Any] = {
                    "values": data.drf_keys if name == "drf-api-key" else data.keys,
                    "authorization": f"Bearer {data.verifier}",
                    "in_header": name == "drf-api-key",
                    "connections": connections,
                }
                # Stamps fall due together and are written by the first request that sees
                # them stale, often in the warm-up: writes count from the warm-up on.
                before = verify_seed.rows_written()
                warm = run(server_url, path, seconds=1, max_requests=1000, **kwargs)
                loads[name].append(
                    run(
                        server_url,
                        path,
                        seconds=args.seconds,
                        max_requests=args.max_requests,
                        **kwargs,
                    )
                )
                if name == "keyport":
                    written += verify_seed.rows_written() - before
                    counted += warm.requests + loads[name][-1].requests
        minutes = math.ceil((time.monotonic() - started) / 60)
        per_key_minute = written / (len(data.keys) * minutes)
        for name, runs in loads.items():
            p50, p99, rps = (_median(runs, a) for a in ("p50_ms", "p99_ms", "rps"))
            ratios = [_ratio(p50, p99, rps, loads[floor]) for floor in FLOORS]
            if name == "keyport":
                for floor in FLOORS:
                    GOALS_MET[floor].append(_meets_goals(p50, p99, rps, loads[floor]))
            requests = sum(load.requests for load in runs)
            rows.append(
                [
                    f"{data.total_keys:,}",
                    connections,
                    name,
                    f"{requests:,}",
                    f"{rps:,.0f}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    *("" if name.startswith("floor") else ratio for ratio in ratios),
                    f"{written * 1000 / max(counted, 1):.1f} ({per_key_minute:.2f})"
                    if name == "keyport"
                    else "",
                    sum(load.non200 + load.errors for load in runs),
                ]
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200, help="keys the load cycles through")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--database-url", default=support.default_database_url("keyport_bench_verify")
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    ensure_drf()
    support.SETTINGS_MODULE = "bench.verify_settings"
    support.setup_django(args.database_url)
    from django.conf import settings

    from bench.gunicorn_worker import Gunicorn, collectstatic, production_env

    env = production_env(args.database_url, settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEY)
    env.update(DJANGO_SETTINGS_MODULE="bench.verify_settings", KEYPORT_BENCH_PRODUCTION="1")
    collectstatic(env)
    database = support.database_label()
    rows, decryptions, failed = [], [], 0
    try:
        for size in sorted(args.sizes):
            started = time.perf_counter()
            data = verify_seed.seed_keys(size, sample=args.sample)
            print(
                f"seeded {data.total_keys:,} keys in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            decryptions.append(
                [f"{data.total_keys:,}", *verify_seed.decryptions_per_verification(data)]
            )
            server = Gunicorn(env, workers=args.workers)
            try:
                server.wait_ready()
                rows += load_all(server.base_url, data, args)
            finally:
                server.stop()
    finally:
        if not args.keep:
            support.drop_database(args.database_url)

    print(f"\nVerification, gunicorn {args.workers} sync workers, production settings,")
    print(f"{database}, wrk on loopback (2 threads), {args.sample} keys cycled per run")
    headers = [
        "keys",
        "conns",
        "endpoint",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "vs floor p50 / p99 / req/s",
        "vs floor-prepared",
        "rows written per 1k (per key-minute)",
        "non-200",
    ]
    print(support.markdown_table(headers, rows))
    print("\nIn-process, 1,000 verifications through Django's test client:")
    print(
        support.markdown_table(
            [
                "keys",
                "Fernet decryptions per verification",
                "queries per verification",
                "SQL writes per 1k (stamps warm)",
            ],
            decryptions,
        )
    )
    for floor, met in GOALS_MET.items():
        print(
            f"Goals (p50 and p99 within {LATENCY_GOAL}x, throughput at least {THROUGHPUT_GOAL}x) "
            f"against {floor}: met in {sum(met)} of {len(met)} rows"
        )
    print(f"Machine: {support.machine()}")
    failed = sum(int(str(row[-1])) for row in rows)
    if failed:
        print(f"FAIL: {failed} answers were not HTTP 200")
        return 1
    if any(row[1] != "0.000" or row[2] != "1.00" for row in decryptions):
        print("FAIL: a verification decrypted something or took more than one query")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
