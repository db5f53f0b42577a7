"""The reads behind key verification: the key by digest with its app, the app's scope codes
and the asking verifier token, in one round trip of indexed lookups; nothing decrypted.

The queries are built by the ORM with ``values()`` (no encrypted column in the select list;
tests assert the SQL) but compiled once per process: compiling costs more than running them.
On PostgreSQL they run as prepared statements (``preparing_cursor``), because planning the key
query costs PostgreSQL about twice what running it does. Django turns psycopg's preparation
off (``prepare_threshold=None``); the settings turn it back on
(``config.settings.base.prepared_statements``), which reaches only server-binding cursors like
this one, and this cursor prepares on first use, so PostgreSQL plans each statement once per
connection. Behind a transaction-pooling PgBouncer, enable its prepared-statement support
(``max_prepared_statements``, 1.21+) or set ``DJANGO_DB_PREPARED_STATEMENTS=false``.

The token is read through uncorrelated subqueries (two index probes, its row as one JSON
array), not a join: PostgreSQL planned the join from the token and walked every app of the
organization, a cost that grows with the keys.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from django.db import connection, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps_registry.models import ApiKey, Application, VerifierToken

KEY_COLUMNS: tuple[str, ...] = ("id", "application_id", "prefix", "expires_at", "revoked_at")
KEY_COLUMNS += ("replaced_by_id", "last_used_at")
APPLICATION_COLUMNS: tuple[str, ...] = ("application_id", "organization_id", "name")
APPLICATION_COLUMNS += ("auth_method", "source_app", "login_user_type", "is_active")
APPLICATION_COLUMNS += ("credential_origin",)
VERIFIER_COLUMNS = ("id", "organization_id", "prefix", "expires_at", "revoked_at", "last_used_at")
DATETIME_COLUMNS = frozenset(
    {
        prefix + c
        for prefix in ("", "verifier_")
        for c in ("expires_at", "revoked_at", "last_used_at")
    }
)
DIGEST, TOKEN, ORGANIZATION = "<digest>", "<token digest>", -424242  # bound per call


class JsonArray(models.Func):
    """``json_build_array`` on PostgreSQL, ``json_array`` on SQLite: a row in one column."""

    function = "JSON_BUILD_ARRAY"
    output_field = models.TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSON_ARRAY", **extra)


class JsonList(models.Aggregate):
    """``json_agg`` on PostgreSQL, ``json_group_array`` on SQLite: a list in one column."""

    function = "JSON_AGG"
    output_field = models.TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


@cache
def _key_sql(vendor: str, scope: str) -> tuple[str, tuple[Any, ...], list[str]]:
    """``scope``: "any" key, an "organization"'s, or the organization of a "verifier" token
    (whose row then comes along as one JSON array: two uncorrelated index probes in all)."""
    codes = (
        Application.scopes.through.objects.filter(application_id=OuterRef("application_id"))
        .order_by()
        .values("application_id")
        .annotate(codes=JsonList("apiscope__code"))
        .values("codes")  # type: ignore[misc]
    )
    queryset = ApiKey.objects.filter(key_digest=DIGEST)
    columns = [*KEY_COLUMNS, *(f"application__{c}" for c in APPLICATION_COLUMNS)]
    if scope == "organization":
        queryset = queryset.filter(application__organization_id=ORGANIZATION)
    if scope == "verifier":
        token = VerifierToken.objects.filter(token_digest=TOKEN).order_by()
        as_array = token.annotate(row=JsonArray(*VERIFIER_COLUMNS)).values("row")[:1]
        queryset = queryset.filter(
            application__organization_id=Subquery(token.values("organization_id")[:1])
        ).annotate(verifier=Subquery(as_array))
        columns.append("verifier")
    columns.append("scope_codes")
    queryset = queryset.annotate(scope_codes=Subquery(codes)).order_by().values(*columns)
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params), columns


@cache
def _verifier_sql(vendor: str) -> tuple[str, tuple[Any, ...], list[str]]:
    queryset = VerifierToken.objects.filter(token_digest=DIGEST).order_by()
    sql, params = queryset.values(*VERIFIER_COLUMNS).query.sql_with_params()
    return sql, tuple(params), list(VERIFIER_COLUMNS)


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


@cache
def _preparing_cursor_class() -> type[Any]:
    """A psycopg cursor that binds server-side and prepares every statement it runs."""
    import psycopg

    class _PreparingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

        def _send_query_prepared(self, name: bytes, pgq: Any, **kwargs: Any) -> None:
            # psycopg keeps the query it ran on every path but this one; Django's query log
            # (and the tests that read the SQL from it) needs it here too.
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kwargs)

    return _PreparingCursor


def preparing_cursor() -> Any:
    """A Django cursor (queries logged as usual) whose statements PostgreSQL plans once per
    connection; an ordinary cursor on other databases."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()  # what connection.cursor() does first
    connection.ensure_connection()
    raw_cursor = _preparing_cursor_class()(connection.connection)
    return connection._prepare_cursor(raw_cursor)  # type: ignore[attr-defined]


def _fetch_one(
    compiled: tuple[str, tuple[Any, ...], list[str]], bound: dict[Any, Any]
) -> dict[str, Any] | None:
    sql, params, columns = compiled
    values = [bound.get(param, param) for param in params]
    with preparing_cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchone()
    if found is None:
        return None
    row = dict(zip(columns, found, strict=True))
    for column in DATETIME_COLUMNS.intersection(row):
        row[column] = _as_datetime(row[column])
    return row


def verifier_for_verification(token_digest: str) -> dict[str, Any] | None:
    """The verifier token's ``VERIFIER_COLUMNS`` by digest, or ``None``."""
    return _fetch_one(_verifier_sql(connection.vendor), {DIGEST: token_digest})


def key_for_verification(
    key_digest: str, *, organization_id: int | None = None, token_digest: str | None = None
) -> dict[str, Any] | None:
    """The key by digest with its app's columns and sorted ``scope_codes``, or ``None``.

    With ``organization_id`` only that organization's key; with ``token_digest`` only a key
    of that verifier token's organization, and the token's ``VERIFIER_COLUMNS`` with it as
    ``row["verifier"]`` (one round trip; ``None`` means no such key *or* no such token).
    """
    scope = "verifier" if token_digest else "organization" if organization_id else "any"
    compiled = _key_sql(connection.vendor, scope)
    bound = {DIGEST: key_digest, TOKEN: token_digest, ORGANIZATION: organization_id}
    row = _fetch_one(compiled, bound)
    if row is None:
        return None
    row["scope_codes"] = sorted(_json(row["scope_codes"]) or [])
    if "verifier" in row:
        verifier = dict(zip(VERIFIER_COLUMNS, _json(row["verifier"]), strict=True))
        for column in DATETIME_COLUMNS.intersection(verifier):
            verifier[column] = _as_datetime(verifier[column])
        row["verifier"] = verifier
    return row


def _json(value: Any) -> Any:
    """psycopg decodes ``json`` itself; SQLite hands back the text."""
    return json.loads(value) if isinstance(value, str) else value
