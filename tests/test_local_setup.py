"""What `make run` does on a fresh machine: a local .env with fresh keys, a first admin."""

from __future__ import annotations

import io
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from apps_registry.models import Organization

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "write_local_env.py"


def _write_env(path: Path) -> str:
    env = {**os.environ, "KEYPORT_ENV_FILE": str(path)}
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, check=True, capture_output=True, text=True
    ).stdout


def _values(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_env_file_gets_fresh_keys_once_and_keeps_them(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    assert "Wrote" in _write_env(env_file)
    first = _values(env_file)
    Fernet(first["FIELD_ENCRYPTION_KEY"])  # a valid key, or this raises
    assert len(first["DJANGO_SECRET_KEY"]) >= 50
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert _write_env(env_file) == ""
    assert _values(env_file) == first
    other = tmp_path / "other.env"
    _write_env(other)
    assert _values(other)["FIELD_ENCRYPTION_KEY"] != first["FIELD_ENCRYPTION_KEY"]


def test_manage_py_on_a_fresh_checkout_writes_the_local_keys_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``manage.py check`` as the first command of a fresh checkout finds its keys: it writes
    ``.env`` the way ``make run`` does, once, and never where the environment has the keys."""
    manage = runpy.run_path(str(SCRIPT.parent.parent / "manage.py"))
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.delenv("KEYPORT_IGNORE_ENV_FILE", raising=False)
    env_file = tmp_path / ".env"
    manage["ensure_local_env"](env_file)
    first = _values(env_file)
    Fernet(first["FIELD_ENCRYPTION_KEY"])
    assert "Wrote .env" in capsys.readouterr().err
    manage["ensure_local_env"](env_file)
    assert _values(env_file) == first

    provided = tmp_path / "provided" / ".env"
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    manage["ensure_local_env"](provided)
    assert not provided.exists()


def test_first_admin_is_created_once_with_a_working_password(db) -> None:
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    printed = out.getvalue()
    password = printed.split("password:")[1].split()[0]
    user = authenticate(RequestFactory().post("/admin/login/"), username="admin", password=password)
    assert user is not None and user.is_superuser
    assert list(Organization.objects.get().members.all()) == [user]

    again = io.StringIO()
    call_command("ensure_admin", stdout=again)
    assert "already exists" in again.getvalue()
    assert "password:" not in again.getvalue()
