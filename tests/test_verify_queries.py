"""The verification path: the SQL it runs, no decryption, and last use stamped once a minute."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps_registry import selectors_verification
from apps_registry.models import ApiKey, VerifierToken
from apps_registry.services.last_use import LAST_USED_PRECISION, last_use_stamp
from tests.support_verify import call

ENCRYPTED_COLUMNS = ('"apps_registry_apikey"."key"', '"apps_registry_application"."secret"')


def _queries(api_client, token, body):
    with CaptureQueriesContext(connection) as queries:
        response = call(api_client, token, body)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_no_encrypted_column_is_selected(api_client, verifier, issued, scopes):
    call(api_client, verifier[1], {"key": issued.raw_key})  # first use writes; see below
    response, sql = _queries(
        api_client, verifier[1], {"key": issued.raw_key, "scopes": [scopes[0].code]}
    )
    assert response.json()["code"] == "VALID"
    for statement in sql:
        for column in ENCRYPTED_COLUMNS:
            assert column not in statement, statement
    # One query: the key by digest, its app, its scopes and the verifier token.
    assert len(sql) == 1 and sql[0].startswith("SELECT"), sql
    assert "key_digest" in sql[0] and "token_digest" in sql[0]
    assert "apps_registry_apiscope" in sql[0] and "apps_registry_application" in sql[0]


@pytest.mark.postgres_only
def test_postgresql_plans_the_verification_once_per_connection(api_client, verifier, issued):
    """Planning the key query costs PostgreSQL more than running it: it is a prepared
    statement, planned once and then only executed (Django prepares nothing by default)."""

    def verify_and_count() -> list[int]:
        assert call(api_client, verifier[1], {"key": issued.raw_key}).json()["code"] == "VALID"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            )
            return [uses for statement, uses in cursor.fetchall() if "key_digest" in statement]

    first = verify_and_count()
    for _ in range(2):
        verify_and_count()
    assert len(first) == 1, "the key query was not prepared"
    assert verify_and_count() == [first[0] + 3]  # each call ran the same prepared statement


def test_an_unknown_key_costs_one_more_query_for_the_verifier(api_client, verifier):
    call(api_client, verifier[1], {"key": "kp_x.first"})  # the verifier's first use writes
    response, sql = _queries(api_client, verifier[1], {"key": "kp_x.nothing"})
    assert response.json()["code"] == "NOT_FOUND"
    assert len(sql) == 2 and "token_digest" in sql[1] and "key_digest" not in sql[1]


def test_verification_needs_no_encryption_key_at_all(api_client, verifier, issued):
    """With a FIELD_ENCRYPTION_KEY that decrypts nothing, every answer is still right."""
    with override_settings(FIELD_ENCRYPTION_KEY=[Fernet.generate_key().decode()]):
        assert call(api_client, verifier[1], {"key": issued.raw_key}).json()["code"] == "VALID"
        assert call(api_client, verifier[1], {"key": "kp_x.y"}).json()["code"] == "NOT_FOUND"


def test_last_use_is_written_once_per_key_per_minute(api_client, verifier, issued):
    token, raw = verifier
    start = timezone.now()
    writes = []
    with time_machine.travel(start, tick=False) as traveller:
        for second in range(0, 150, 5):  # 30 calls over two and a half minutes
            traveller.move_to(start + dt.timedelta(seconds=second))
            _, sql = _queries(api_client, raw, {"key": issued.raw_key})
            writes += [(second, s) for s in sql if s.startswith("UPDATE")]
    key_writes = [second for second, s in writes if "apps_registry_apikey" in s]
    assert key_writes == [0, 65, 130]
    key = ApiKey.objects.get(pk=issued.key_id)
    assert key.last_used_at == start + dt.timedelta(seconds=130)
    assert key.last_verified_by_id == token.pk
    verifier_writes = [second for second, s in writes if "apps_registry_verifiertoken" in s]
    assert verifier_writes == [0, 65, 130]
    assert VerifierToken.objects.get(pk=token.pk).last_used_at == key.last_used_at


def test_a_stale_read_does_not_write_twice(verifier, issued):
    """Two workers that both read a stale stamp: the conditional UPDATE lets one through."""
    now = timezone.now()
    row = selectors_verification.key_for_verification(
        ApiKey.objects.get(pk=issued.key_id).key_digest
    )
    assert row is not None and row["last_used_at"] is None
    stamp = {"model": ApiKey, "pk": row["id"], "last_used_at": row["last_used_at"]}
    assert last_use_stamp(**stamp, now=now)
    with CaptureQueriesContext(connection) as queries:
        assert last_use_stamp(**stamp, now=now + LAST_USED_PRECISION / 2)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1  # the UPDATE ran and matched no row
    assert ApiKey.objects.get(pk=issued.key_id).last_used_at == now


def test_last_use_is_not_stamped_for_other_organizations(
    api_client, verifier, other_organization, scopes, actor
):
    from tests.support_verify import issue

    theirs = issue(other_organization, scopes, actor, name="Theirs")
    _, sql = _queries(api_client, verifier[1], {"key": theirs.raw_key})
    assert not any(s.startswith("UPDATE") and "apikey" in s for s in sql)
