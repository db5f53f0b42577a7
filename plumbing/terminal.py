"""Management command output that cannot drive the terminal it is printed on.

Names of apps, connections and organizations are typed by operators; printed raw, an
``ESC [ …`` sequence in one could rewrite the screen, hide lines or set the window title
of whoever runs ``send_expiry_alerts --dry-run``. Every Keyport command inherits
``SafeOutputCommand``: what it writes keeps its own line breaks, and every other control
character (C0, DEL, C1, Unicode line/paragraph separators, bidi controls) is shown as a
visible ``\\x1b``-style escape.
"""

from __future__ import annotations

import unicodedata
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, OutputWrapper

_KEPT = frozenset("\n")
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character but the newline written as a visible escape."""
    return "".join(
        _escaped(char)
        if char not in _KEPT
        and (unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in _BIDI_CONTROLS)
        else char
        for char in text
    )


def stream_of(wrapper: OutputWrapper) -> TextIO:
    """The stream an ``OutputWrapper`` writes to (for output that must stay byte for byte)."""
    return cast(TextIO, wrapper._out)


class SafeOutputWrapper(OutputWrapper):
    """An ``OutputWrapper`` that escapes control characters before they reach the stream."""

    def write(  # type: ignore[override]  # OutputWrapper's own signature
        self, msg: str = "", style_func: Any = None, ending: str | None = None
    ) -> None:
        super().write(escape_controls(str(msg)), style_func, ending)


class SafeOutputCommand(BaseCommand):
    """A ``BaseCommand`` whose ``stdout`` and ``stderr`` escape control characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stdout = SafeOutputWrapper(stream_of(self.stdout))
        self.stderr = SafeOutputWrapper(stream_of(self.stderr), self.stderr.ending)
        self.stderr.style_func = self.style.ERROR

    def execute(self, *args: Any, **options: Any) -> Any:
        if options.get("stdout"):
            self.stdout = SafeOutputWrapper(options.pop("stdout"))
        if options.get("stderr"):
            self.stderr = SafeOutputWrapper(options.pop("stderr"))
        return super().execute(*args, **options)
