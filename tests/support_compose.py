"""Read ``docker-compose.yml`` and ``.env.example`` the way the tests need them.

The smoke test takes each process's command and healthcheck from the compose file itself, so
"CI runs the same commands natively" cannot drift from what a deployment runs.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
APP_SERVICES = ("web", "worker", "beat")

# ${NAME}, ${NAME:-default}, ${NAME:?message}; "$${NAME}" is escaped for the container's shell.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
# NAME=value, or "# NAME=default" for an optional variable.
DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


@cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def service(name: str) -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"][name]
    return found


def native(argv: list[str]) -> list[str]:
    """A compose command run here: the image's ``python`` is this interpreter."""
    return [sys.executable if part == "python" else part for part in argv]


def command(name: str) -> list[str]:
    return native(list(service(name)["command"]))


def healthcheck(name: str) -> list[str]:
    test = list(service(name)["healthcheck"]["test"])
    assert test[0] == "CMD", f"{name}: healthcheck must be an exec form (CMD)"
    return native(test[1:])


def compose_variables() -> set[str]:
    """Every ``${VAR}`` the compose file interpolates and every ``environment:`` key it sets."""
    names = set(COMPOSE_VARIABLE.findall(COMPOSE_FILE.read_text()))
    for definition in compose()["services"].values():
        environment = definition.get("environment") or {}
        names.update(environment if isinstance(environment, dict) else [])
    return names


def documented_variables() -> set[str]:
    return set(DOCUMENTED.findall(ENV_EXAMPLE.read_text()))


def env_example_values() -> dict[str, str]:
    """The uncommented ``NAME=value`` lines of ``.env.example``."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def load_serve() -> ModuleType:
    """``scripts/serve.py`` as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "serve.py"
    spec = importlib.util.spec_from_file_location("keyport_serve", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
