"""Write a local ``.env`` with fresh keys unless one exists; never overwrite existing keys.

Runs before Django starts (the settings need these keys), so it uses only the standard
library and ``cryptography``'s key format (32 random bytes, url-safe base64).
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path

DEFAULT_ENV_PATH = Path(__file__).resolve().parent.parent / ".env"
ENV_PATH = Path(os.environ.get("KEYPORT_ENV_FILE") or DEFAULT_ENV_PATH)


def fernet_key() -> str:
    """A fresh Fernet key in the format ``FIELD_ENCRYPTION_KEY`` expects."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def main() -> int:
    """Create ``.env`` on first run; leave an existing one untouched."""
    if ENV_PATH.exists():
        return 0
    lines = [
        "# Written by `make run` on first start. Keep it private; losing FIELD_ENCRYPTION_KEY",
        "# makes every stored secret unreadable. See .env.example for all settings.",
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}",
        f"FIELD_ENCRYPTION_KEY={fernet_key()}",
        "DJANGO_DEBUG=true",
    ]
    ENV_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ENV_PATH.chmod(0o600)
    print(f"Wrote {ENV_PATH.name} with a fresh secret key and encryption key.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
