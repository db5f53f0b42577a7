"""The production image's lock (no dev tools) pins exactly what the development lock pins."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", re.M)


def _pins(name: str) -> dict[str, str]:
    return {pkg.lower(): version for pkg, version in PIN.findall((ROOT / name).read_text())}


def test_production_lock_is_a_subset_of_the_development_lock():
    production, development = _pins("requirements-prod.lock"), _pins("requirements.lock")
    assert len(production) > 20
    assert {pkg: development.get(pkg) for pkg in production} == production
    for tool in ("pytest", "mypy", "ruff", "playwright"):
        assert tool not in production and tool in development
