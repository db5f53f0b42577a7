"""The five ways a deployment reads an exported ``.env`` file, each returning ``{name: value}``.

bash and dash source it for real (``set -a; . file``, then ``env -0``); django-environ reads
it with ``Env.read_env`` and every value is fetched with ``Env.str``; python-dotenv with
``dotenv_values`` (interpolation on, its default). Docker compose cannot run here (no Docker
engine), so ``read_compose`` implements compose's documented ``env_file`` rules, taken at
their least convenient reading:

* https://docs.docker.com/compose/env-file/ ("Syntax"): lines starting with ``#`` are
  comments; ``VAR='VAL'`` single-quoted values are used literally, except that quotes can
  be escaped with ``\\`` (``'Let\\'s go!'`` -> ``Let's go!``); double-quoted values support
  ``\\n``, ``\\r``, ``\\t``, ``\\\\`` and ``\\"`` and have interpolation applied (``$VAR``,
  ``${VAR}``); unquoted values end at a `` #`` comment and are interpolated too.
* compose-go ``dotenv/parser.go`` (``extractVarValue``): a quoted value ends at the first
  quote character that is not preceded by a backslash; lines end at ``\\n`` only. In double
  quotes only the documented escapes are decoded; any other backslash is kept (compose
  hands ``\\``` back with its backslash).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import environ
import pytest
from dotenv import dotenv_values

from tests.support_services import IN_CI

_NAME = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=")
_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))")
_DOUBLE = re.compile(r"\\(.)|\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|\$)", re.DOTALL)


def require_shell(name: str) -> str:
    """The shell's path; a missing one fails in CI (``.ci/run`` installs dash) and skips here."""
    path = shutil.which(name)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is missing; CI must run the .env round trip with it.")
    pytest.skip(f"{name} is not installed (apt-get install {name}); CI runs this test.")


def read_shell(shell: str, path: Path) -> dict[str, str]:
    """Source the file with ``set -a`` in a clean environment; what ``env -0`` then prints."""
    script = f'set -a; . "{path}"; set +a; exec env -0'
    result = subprocess.run(
        [require_shell(shell), "-c", script], env={}, capture_output=True, check=True
    )
    pairs = [entry.split("=", 1) for entry in result.stdout.decode().split("\0") if entry]
    return {name: value for name, value in pairs if name not in {"PWD", "SHLVL", "_", "OLDPWD"}}


class _IsolatedEnv(environ.Env):
    ENVIRON: dict[str, str] = {}


def read_django_environ(path: Path) -> dict[str, str]:
    """``Env.read_env`` into an environment of its own, then ``Env.str`` for every name."""
    _IsolatedEnv.ENVIRON = {}
    _IsolatedEnv.read_env(str(path), overwrite=True)
    env = _IsolatedEnv()
    return {name: env.str(name) for name in list(_IsolatedEnv.ENVIRON)}


def read_python_dotenv(path: Path) -> dict[str, str]:
    values = dotenv_values(path)
    return {name: value for name, value in values.items() if value is not None}


def _lookup(name: str, seen: dict[str, str]) -> str:
    name, _, default = name.partition(":-")
    return seen.get(name, os.environ.get(name, default))


def _interpolate(value: str, seen: dict[str, str]) -> str:
    """``$VAR``, ``${VAR}``, ``${VAR:-default}``; ``$$`` is a literal ``$``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(3):
            return "$"
        return _lookup(match.group(1) if match.group(1) is not None else match.group(2), seen)

    return _VARIABLE.sub(replace, value)


def _double_quoted(raw: str, seen: dict[str, str]) -> str:
    """Escapes and interpolation in one left-to-right pass, as compose applies them."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            char = match.group(1)
            # Only the documented escapes; any other backslash stays (as compose keeps it
            # before a backtick, the least convenient reading).
            return {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"'}.get(char, "\\" + char)
        return _interpolate(match.group(0), seen)

    return _DOUBLE.sub(replace, raw)


def _quoted(text: str, quote: str) -> tuple[str, str]:
    """The raw text between ``quote`` and the first unescaped ``quote``, and what follows."""
    for index in range(1, len(text)):
        if text[index] == quote and text[index - 1] != "\\":
            return text[1:index], text[index + 1 :]
    raise ValueError(f"unterminated quoted value {text.splitlines()[0]!r}")


def read_compose(path: Path) -> dict[str, str]:
    """Compose's ``env_file`` rules (see the module docstring); raises on what it refuses."""
    text = path.read_text(encoding="utf-8")
    values: dict[str, str] = {}
    while text:
        text = text.lstrip(" \t\r\n\v\f")
        if not text:
            break
        if text.startswith("#"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
            continue
        match = _NAME.match(text)
        if match is None:
            raise ValueError(f"unexpected line {text.splitlines()[0]!r}")
        name, text = match.group(1), text[match.end() :].lstrip(" \t")
        if text[:1] in {"'", '"'}:
            quote = text[0]
            raw, text = _quoted(text, quote)
            value = raw.replace("\\'", "'") if quote == "'" else _double_quoted(raw, values)
        else:
            line, _, text = text.partition("\n")
            value = _interpolate(re.split(r"\s#", line, maxsplit=1)[0].rstrip(), values)
        values[name] = value
        rest, _, text = text.partition("\n")
        if rest.strip() and not rest.strip().startswith("#"):
            raise ValueError(f"text after the closing quote of {name}: {rest!r}")
    return values


def read_all(path: Path) -> dict[str, dict[str, str]]:
    """Every reader's view of the file, by reader name."""
    return {
        "bash": read_shell("bash", path),
        "dash": read_shell("dash", path),
        "django-environ": read_django_environ(path),
        "python-dotenv": read_python_dotenv(path),
        "docker compose": read_compose(path),
    }
