"""The API key, staff token and password never reach the database in plaintext, a log record,
an audit row, an email or an error message."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import connection as db

from apps_registry.crypto import decrypt
from apps_registry.models import AuditEvent
from connections import services
from connections.services.outcomes import ConnectionActionError
from tests.fake_mindbody import Fault
from tests.support_mindbody import API_KEY, STAFF_PASSWORD, STAFF_USERNAME

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _raw(column: str, pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM connections_mindbodysiteconnection WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def every_stored_text() -> str:
    """Every row of every table, as text: a plaintext secret anywhere would show up here."""
    dump: list[str] = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_secrets_stay_secret_through_a_whole_lifecycle(
    sandbox_connection, actor, fake_mindbody, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_mindbody.clock = lambda: NOW
    with pytest.raises(ConnectionActionError) as wrong:
        services.mindbody_token_issue(
            connection=sandbox_connection,
            username=STAFF_USERNAME,
            password="Wrong-" + STAFF_PASSWORD,
            actor=actor,
        )
    services.mindbody_token_issue(
        connection=sandbox_connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
    )
    sandbox_connection.refresh_from_db()
    token = sandbox_connection.staff_user_token
    services.mindbody_connection_verify(connection=sandbox_connection, actor=actor, now=NOW)
    fake_mindbody.fail_next("/public/v6/site/locations", Fault(401, b'{"Error": {"Code": "X"}}'))
    with pytest.raises(ConnectionActionError) as failing:
        services.mindbody_connection_verify(connection=sandbox_connection, actor=actor, now=NOW)
    fake_mindbody.tokens[token].renewals = 7
    services.mindbody_tokens_renew_due(now=NOW + dt.timedelta(hours=20))
    assert len(mail.outbox) == 2  # failing, then token expired

    assert _raw("api_key", sandbox_connection.pk).startswith("gAAAAA")
    assert decrypt(_raw("api_key", sandbox_connection.pk)) == API_KEY
    assert decrypt(_raw("staff_user_token", sandbox_connection.pk)) == token
    stored = every_stored_text()
    audits = repr(list(AuditEvent.objects.values()))
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    emails = "\n".join(
        f"{m.subject}\n{m.body}\n{getattr(m, 'alternatives', '')!r}" for m in mail.outbox
    )
    errors = f"{wrong.value}\n{failing.value}"
    for secret in (API_KEY, token, STAFF_PASSWORD, "Wrong-" + STAFF_PASSWORD):
        for where, text in [
            ("database", stored),
            ("audit", audits),
            ("log", logged),
            ("email", emails),
            ("error", errors),
        ]:
            assert secret not in text, f"a secret reached the {where}"
    assert "mindbody_token_issue_failed" in audits and "/usertoken/issue" in logged
