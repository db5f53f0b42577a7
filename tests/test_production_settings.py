"""Production settings: no default secret, and ``check --deploy`` reports nothing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "DJANGO_ALLOWED_HOSTS": "keyport.example.com",
    "EMAIL_URL": "smtp://127.0.0.1:1025",
    "SITE_URL": "https://keyport.example.com",
}


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_", "DATABASE"))
    }
    clean |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "KEYPORT_IGNORE_ENV_FILE": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=clean, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=REQUIRED, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_secret_is_required(tmp_path):
    for name in (
        "DJANGO_SECRET_KEY",
        "FIELD_ENCRYPTION_KEY",
        "SITE_URL",
        "EMAIL_URL",
        "DJANGO_ALLOWED_HOSTS",
    ):
        env = {k: v for k, v in REQUIRED.items() if k != name}
        result = _manage("check", env=env, tmp_path=tmp_path)
        assert result.returncode != 0, name
        assert name in result.stderr, name


def test_production_requires_two_factor_by_default(tmp_path):
    code = "from django.conf import settings; print(settings.ADMIN_REQUIRE_2FA, settings.SESSION_COOKIE_AGE)"
    result = _manage("shell", "-c", code, env=REQUIRED, tmp_path=tmp_path)
    assert result.stdout.strip().splitlines()[-1].split() == ["True", str(8 * 3600)]


def test_production_lets_postgresql_prepare_the_verification_query(tmp_path):
    """On by default (the key query is planned once per connection); off on request, for a
    transaction-pooling PgBouncer that cannot keep prepared statements."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    postgres = {**REQUIRED, "DATABASE_URL": "postgres://keyport@db.internal:5432/keyport"}
    on = _manage("shell", "-c", code, env=postgres, tmp_path=tmp_path)
    assert "'prepare_threshold': 5" in on.stdout, on.stderr
    off = _manage(
        "shell",
        "-c",
        code,
        env={**postgres, "DJANGO_DB_PREPARED_STATEMENTS": "false"},
        tmp_path=tmp_path,
    )
    assert off.returncode == 0, off.stderr
    assert "prepare_threshold" not in off.stdout
