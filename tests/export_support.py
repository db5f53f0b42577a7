"""Helper for export tests: read an export back the way a deployment would."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import environ


def parse_env(text: str, tmp_path: Path) -> dict[str, str]:
    """Read an exported .env the way a deployment would: with django-environ."""
    env_file = tmp_path / "exported.env"
    env_file.write_text(text)
    names = [line.split("=", 1)[0] for line in text.splitlines() if "=" in line and line[0] != "#"]
    with mock.patch.dict(os.environ, {}, clear=False):
        environ.Env.read_env(str(env_file), overwrite=True)
        return {name: os.environ[name] for name in names}
