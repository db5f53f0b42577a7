"""A Celery worker refuses to start when FIELD_ENCRYPTION_KEY cannot decrypt the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from apps_registry.checks import KEY_WRONG_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")


def _env(database: Path, key: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "FIELD_ENCRYPTION_KEY": key,
        "CELERY_BROKER_URL": "memory://",
    }


def test_worker_with_a_wrong_key_exits_with_the_reason(tmp_path):
    database = tmp_path / "keyport.sqlite3"
    right = Fernet.generate_key().decode()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"],
        env=_env(database, right),
        check=True,
        capture_output=True,
    )
    wrong = Fernet.generate_key().decode()
    result = subprocess.run(
        [CELERY, "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        env=_env(database, wrong),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refuses to start the Celery worker" in result.stderr
    assert KEY_WRONG_MESSAGE in result.stderr
    assert wrong not in result.stderr + result.stdout and right not in result.stderr + result.stdout
