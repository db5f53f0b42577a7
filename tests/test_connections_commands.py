"""Management commands: issue_mindbody_token, renew_mindbody_tokens, verify_mindbody_connections."""

from __future__ import annotations

import datetime as dt
import getpass
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from connections.management.commands.issue_mindbody_token import NO_SUCH_CONNECTION, PASSWORD_ENV
from connections.mindbody import REFUSED_MESSAGE
from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import VERIFIED_MESSAGE
from tests.fake_mindbody import SANDBOX, STAFF_AUTH_FAILED, TOKEN_INVALID
from tests.support_mindbody import STAFF_PASSWORD, STAFF_USERNAME


def _run(*args, **kwargs) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_issue_reads_the_password_from_the_environment(sandbox_connection, monkeypatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, STAFF_PASSWORD)
    out, _ = _run("issue_mindbody_token", str(sandbox_connection.pk), "--username", STAFF_USERNAME)
    assert "Issued a staff token for frontdesk" in out
    assert VERIFIED_MESSAGE.format(count=2) in out
    assert STAFF_PASSWORD not in out
    connection = MindbodySiteConnection.objects.get(pk=sandbox_connection.pk)
    assert connection.status == ConnectionStatus.ACTIVE


def test_issue_prompts_for_the_password(sandbox_connection, monkeypatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return STAFF_PASSWORD

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    _run("issue_mindbody_token", str(sandbox_connection.pk), "--username", STAFF_USERNAME)
    assert prompts == ["Mindbody password for frontdesk: "]


def test_issue_fails_with_mindbodys_message(sandbox_connection, monkeypatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "Wrong-" + STAFF_PASSWORD)
    with pytest.raises(CommandError) as raised:
        _run("issue_mindbody_token", str(sandbox_connection.pk), "--username", STAFF_USERNAME)
    assert str(raised.value) == REFUSED_MESSAGE.format(
        message=STAFF_AUTH_FAILED, code="DeniedAccess", status=403
    )


def test_issue_for_an_unknown_connection(db, fake_mindbody) -> None:
    with pytest.raises(CommandError, match=NO_SUCH_CONNECTION.format(id=999)):
        _run("issue_mindbody_token", "999", "--username", STAFF_USERNAME)


def _with_token(connection, fake, hours: float):
    expires = timezone.now() + dt.timedelta(hours=hours)
    connection.staff_user_token = fake.seed_token(SANDBOX, expires=expires)
    connection.token_expires_at = expires
    connection.status = ConnectionStatus.ACTIVE
    connection.save()
    return connection


def test_renew_prints_what_it_did(sandbox_connection, fake_mindbody) -> None:
    _with_token(sandbox_connection, fake_mindbody, hours=2)
    out, err = _run("renew_mindbody_tokens")
    assert "Sandbox (site -99): Renewed the staff token" in out
    assert "Renewed 1 of 1 connection(s); 0 failed" in out and err == ""


def test_verify_exits_non_zero_with_mindbodys_message(sandbox_connection, fake_mindbody) -> None:
    connection = _with_token(sandbox_connection, fake_mindbody, hours=20)
    fake_mindbody.tokens[connection.staff_user_token].revoked = True
    err = StringIO()
    with pytest.raises(CommandError, match="1 connection"):
        call_command("verify_mindbody_connections", stdout=StringIO(), stderr=err)
    assert TOKEN_INVALID in err.getvalue() and "DeniedAccess" in err.getvalue()
    connection.refresh_from_db()
    assert TOKEN_INVALID in connection.last_error
    assert connection.status == ConnectionStatus.TOKEN_EXPIRED
