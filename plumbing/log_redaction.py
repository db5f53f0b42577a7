"""A logging filter that blanks secrets out of every log line, whatever logged them.

Keyport's own code never logs a secret; this catches libraries and mistakes: Fernet
tokens, Keyport API keys, ``Authorization``/``API-Key`` headers and ``password=``-style pairs.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_PATTERNS = [
    re.compile(r"gAAAAA[A-Za-z0-9_\-]{20,}={0,2}"),  # Fernet tokens
    re.compile(r"\b(?:kp|ext)_[A-Za-z0-9]{8}\.[A-Za-z0-9_\-]{20,}"),  # Keyport API keys
    re.compile(
        r"(?i)(\b(?:authorization|api[-_]?key|x-api-key|password|passwd|secret|token|"
        r"access_?token|staff_user_token)\b[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&}]+)"
    ),
]


def redact(text: str) -> str:
    """``text`` with every recognisable secret replaced by ``[redacted]``."""
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _PATTERNS[1].sub(REDACTED, text)
    return _PATTERNS[2].sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record's message (arguments merged in) and any exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
