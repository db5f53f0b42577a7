"""Generation and hashing of credentials; no ORM here so it is easy to reason about.

Application IDs are UUIDs (identifiers, not secrets). Secrets and API keys carry 256 bits
from ``secrets``. An API key is ``<prefix>.<secret part>``: the prefix is recognisable
(``kp_``), unique and safe to show in lists; only the SHA-256 digest of the whole key is
stored for lookups (see ``api_key_verify`` for why no constant-time comparison is needed).
"""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid

KEY_PREFIX_MARK = "kp_"
RECORDED_PREFIX_MARK = "ext_"
VERIFIER_PREFIX_MARK = "kpv_"
PREFIX_RANDOM_LENGTH = 8
SECRET_BYTES = 32  # 256 bits
PREFIX_ALPHABET = string.ascii_letters + string.digits


def new_application_id() -> str:
    """A fresh Application ID (random UUID4)."""
    return str(uuid.uuid4())


def new_secret() -> str:
    """A fresh application secret: 256 random bits, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def new_key_prefix(mark: str = KEY_PREFIX_MARK) -> str:
    """A non-secret, recognisable prefix such as ``kp_Ab3dE6gH``."""
    return mark + "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_RANDOM_LENGTH))


def new_api_key() -> tuple[str, str]:
    """A fresh API key as ``(prefix, full key)``; the part after the dot is 256 random bits."""
    prefix = new_key_prefix()
    return prefix, f"{prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"


def new_verifier_token() -> tuple[str, str]:
    """A fresh verifier token as ``(prefix, full token)``, shaped like an API key (``kpv_``)."""
    prefix = new_key_prefix(VERIFIER_PREFIX_MARK)
    return prefix, f"{prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"


def key_digest(raw_key: str) -> str:
    """SHA-256 hex digest of a whole key, stored beside the ciphertext for lookups."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()
