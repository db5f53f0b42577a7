"""Quoting one ``.env`` value so every reader a deployment uses reads it back unchanged.

The readers disagree: bash and dash (``set -a; . file``) expand ``$`` and backticks inside
double quotes; python-dotenv turns ``\\\\`` into ``\\`` even inside single quotes and expands
``${NAME}`` in every value; django-environ splits lines on every Unicode line break, strips
double quotes again from a single-quoted ``"…"`` and reads a value starting with ``$`` as a
reference to another variable (``Env.str``); docker compose's ``env_file`` ends a quoted value
at the first quote that no backslash precedes. So each value gets single quotes when they
carry it literally for all of them, else double quotes with ``\\`` and ``"`` escaped, and a
value neither can carry is refused with a message naming the item and the variable.
"""

from __future__ import annotations

import re
import unicodedata

ENV_VALUE_REFUSED = (
    "{item} cannot be exported as a .env file: the value of {field} {reason}. "
    "Export it as JSON instead, or change the value."
)
REASON_CONTROL = "contains a line break or another control character"
REASON_LEADING_DOLLAR = "starts with $, which django-environ reads as a reference to a variable"
REASON_INTERPOLATION = "contains ${…}, which python-dotenv replaces with another variable"
REASON_TRAILING_BACKSLASH = "ends with a backslash, which docker compose reads as an escape"
REASON_NO_QUOTING = (
    "mixes a single quote or a double backslash with $ or a backtick, which no quoting "
    "reads back the same in every shell and .env reader"
)

# python-dotenv's variable syntax (``${NAME}`` or ``${NAME:-default}``), never escapable.
_INTERPOLATION = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")


class EnvValueError(ValueError):
    """A value no quoting carries through every ``.env`` reader; the message says which."""


def is_control(char: str) -> bool:
    """Control characters, line and paragraph separators, and unpaired surrogates."""
    return unicodedata.category(char) in {"Cc", "Zl", "Zp", "Cs"}


def _refusal(value: str) -> str:
    if any(is_control(char) for char in value):
        return REASON_CONTROL
    if value.startswith("$"):
        return REASON_LEADING_DOLLAR
    if _INTERPOLATION.search(value):
        return REASON_INTERPOLATION
    if value.endswith("\\"):
        return REASON_TRAILING_BACKSLASH
    return ""


def _single_quotes_carry(value: str) -> bool:
    wrapped_in_double = len(value) >= 2 and value[0] == value[-1] == '"'
    return "'" not in value and "\\\\" not in value and not wrapped_in_double


def _double_quotes_carry(value: str) -> bool:
    return "$" not in value and "`" not in value


def quote_env_value(value: str, *, item: str, field: str) -> str:
    """``value`` quoted for a ``NAME=<here>`` line, or ``EnvValueError`` naming item and field."""
    reason = _refusal(value)
    if not reason:
        if _single_quotes_carry(value):
            return f"'{value}'"
        if _double_quotes_carry(value):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        reason = REASON_NO_QUOTING
    raise EnvValueError(ENV_VALUE_REFUSED.format(item=item, field=field, reason=reason))
