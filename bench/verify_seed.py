"""Data and counters of the verification bench: keys, DRF keys, a verifier token, and exact
counts of rows written (a bench-only trigger) and of Fernet decryptions (in this process)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from bench import seed, support

COUNTED_TABLES = ("apps_registry_apikey", "apps_registry_verifiertoken")
TRIGGER_SQL = """
CREATE TABLE IF NOT EXISTS bench_rows_written (n bigint NOT NULL);
INSERT INTO bench_rows_written SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM bench_rows_written);
CREATE OR REPLACE FUNCTION bench_count_row() RETURNS trigger AS $$
BEGIN UPDATE bench_rows_written SET n = n + 1; RETURN NULL; END $$ LANGUAGE plpgsql;
"""


@dataclass(frozen=True)
class BenchData:
    total_keys: int
    keys: list[str]
    drf_keys: list[str]
    verifier: str


def _install_write_counter() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(TRIGGER_SQL)
        for table in COUNTED_TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS bench_count ON {table}")
            cursor.execute(
                f"CREATE TRIGGER bench_count AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION bench_count_row()"
            )


def rows_written() -> int:
    """Rows inserted or updated in the key and verifier tables since the counter began."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM bench_rows_written")
        return int(cursor.fetchone()[0])


def _drf_keys(target: int, sample: int) -> list[str]:
    """Top up djangorestframework-api-key's table to ``target`` keys; ``sample`` raw keys
    (created even when the table is full, as on a database kept with ``--keep``)."""
    from rest_framework_api_key import models as drf_models
    from rest_framework_api_key.crypto import concatenate

    model: Any = drf_models.APIKey
    generator: Any = model.objects.key_generator
    raw: list[str] = []
    missing = max(target - model.objects.count(), sample)
    for start in range(0, max(missing, 0), seed.BATCH):
        batch = []
        for _ in range(min(seed.BATCH, missing - start)):
            key, prefix, hashed = generator.generate()
            batch.append(
                model(
                    id=concatenate(prefix, hashed), prefix=prefix, hashed_key=hashed, name="bench"
                )
            )
            if len(raw) < sample:
                raw.append(key)
        model.objects.bulk_create(batch)
    return raw


_state: dict[str, Any] = {}


def seed_keys(size: int, sample: int) -> BenchData:
    """``size`` Keyport keys (one per app) and as many DRF keys; a verifier of org 0."""
    from django.utils import timezone

    from apps_registry import services
    from apps_registry.actors import Actor
    from apps_registry.models import ApiKey, ApiScope

    if not ApiScope.objects.exists():
        raise SystemExit("The scope catalog is empty: migrations did not run.")
    seed.applications(size, keys_per_app=lambda number: 1, scopes=3)
    organization = seed.organizations()[0]
    usable = ApiKey.objects.filter(
        application__organization=organization,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now() + dt.timedelta(days=1),
    ).order_by("pk")
    keys = [str(key.key) for key in usable[:sample]]  # decrypted here, in the bench, once
    drf = _drf_keys(size, sample)
    if "verifier" not in _state:
        _, _state["verifier"] = services.verifier_token_create(
            organization=organization, name="Bench gateway", actor=Actor.system()
        )
    _install_write_counter()
    support.analyze()
    return BenchData(ApiKey.objects.count(), keys, drf, _state["verifier"])


def decryptions_per_verification(data: BenchData, calls: int = 1000) -> list[str]:
    """Fernet decryptions and SELECTs per verification, SQL writes per ``calls`` (stamps warm)."""
    from cryptography.fernet import Fernet, MultiFernet
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counted = {"n": 0}
    originals = {cls: cls.decrypt for cls in (Fernet, MultiFernet)}

    def counting(original: Any) -> Any:
        def decrypt(self: Any, *args: Any, **kwargs: Any) -> Any:
            counted["n"] += 1
            return original(self, *args, **kwargs)

        return decrypt

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {data.verifier}")

    def verify(key: str) -> None:
        body = json.dumps({"key": key})
        response = client.post("/api/v1/keys/verify", body, content_type="application/json")
        if response.status_code != 200 or not response.json()["valid"]:
            raise SystemExit(f"verification failed in-process: {response.content[:200]!r}")

    for key in data.keys:  # stamp every key once: the minute's one write each
        verify(key)
    try:
        for cls in originals:
            cls.decrypt = counting(originals[cls])  # type: ignore[method-assign]
        with CaptureQueriesContext(connection) as queries:
            for number in range(calls):
                verify(data.keys[number % len(data.keys)])
    finally:
        for cls, original in originals.items():
            cls.decrypt = original  # type: ignore[method-assign]
    sql = [q["sql"] for q in queries.captured_queries]
    writes = sum(1 for statement in sql if statement.startswith(("UPDATE", "INSERT")))
    reads = sum(1 for statement in sql if statement.startswith("SELECT"))
    return [f"{counted['n'] / calls:.3f}", f"{reads / calls:.2f}", str(writes)]
