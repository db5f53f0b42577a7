"""Write a local ``.env`` with fresh keys unless one exists; never overwrite existing keys.

Runs before Django starts (the settings need these keys), so it uses only the standard
library and ``cryptography``'s key format (32 random bytes, url-safe base64). ``make run``
runs it, and ``manage.py`` calls ``write_env`` on the local settings, so any first command on
a fresh checkout (``manage.py check``) finds its keys.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path
from typing import TextIO

DEFAULT_ENV_PATH = Path(__file__).resolve().parent.parent / ".env"
ENV_PATH = Path(os.environ.get("KEYPORT_ENV_FILE") or DEFAULT_ENV_PATH)


def fernet_key() -> str:
    """A fresh Fernet key in the format ``FIELD_ENCRYPTION_KEY`` expects."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def write_env(path: Path, out: TextIO) -> bool:
    """Create ``path`` with fresh keys unless it exists; True when it was written."""
    if path.exists():
        return False
    lines = [
        "# Written by `make run` on first start. Keep it private; losing FIELD_ENCRYPTION_KEY",
        "# makes every stored secret unreadable. See .env.example for all settings.",
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}",
        f"FIELD_ENCRYPTION_KEY={fernet_key()}",
        "DJANGO_DEBUG=true",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    print(f"Wrote {path.name} with a fresh secret key and encryption key.", file=out)
    return True


def main() -> int:
    """Create ``.env`` on first run; leave an existing one untouched."""
    write_env(ENV_PATH, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
