#!/usr/bin/env python
"""Django's command-line entry point; defaults to the local settings."""

import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def ensure_local_env(env_file: Path = ROOT / ".env") -> None:
    """The local settings read their keys from ``.env``, which a fresh checkout lacks: write it
    the way ``make run`` does (``scripts/write_local_env.py``), unless the environment already
    provides the keys or says to ignore the file."""
    if env_file.exists() or "DJANGO_SECRET_KEY" in os.environ:
        return
    if os.environ.get("KEYPORT_IGNORE_ENV_FILE", "").lower() in {"true", "1", "yes", "on"}:
        return
    script = runpy.run_path(str(ROOT / "scripts" / "write_local_env.py"))
    script["write_env"](env_file, sys.stderr)


def main() -> None:
    """Run a management command with ``config.settings.local`` unless told otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings.local":
        ensure_local_env()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
