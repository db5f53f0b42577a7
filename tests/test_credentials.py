"""Generation and hashing of credentials (apps_registry.credentials)."""

from __future__ import annotations

import base64
import hashlib
import uuid

from apps_registry import credentials


def _decoded_bits(urlsafe: str) -> int:
    return len(base64.urlsafe_b64decode(urlsafe + "=" * (-len(urlsafe) % 4))) * 8


def test_application_id_is_a_random_uuid() -> None:
    first, second = credentials.new_application_id(), credentials.new_application_id()
    assert uuid.UUID(first).version == 4
    assert first != second


def test_secret_carries_256_bits_and_is_url_safe() -> None:
    secret = credentials.new_secret()
    assert _decoded_bits(secret) >= 256
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len({credentials.new_secret() for _ in range(200)}) == 200


def test_api_key_has_recognisable_prefix_and_256_bit_secret_part() -> None:
    prefix, key = credentials.new_api_key()
    assert prefix.startswith("kp_") and len(prefix) == 3 + credentials.PREFIX_RANDOM_LENGTH
    head, _, secret_part = key.partition(".")
    assert head == prefix
    assert _decoded_bits(secret_part) >= 256
    assert len({credentials.new_api_key()[0] for _ in range(200)}) == 200


def test_digest_is_sha256_and_differs_for_a_changed_key() -> None:
    _, key = credentials.new_api_key()
    digest = credentials.key_digest(key)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    assert credentials.key_digest(key[:-1] + ("A" if key[-1] != "A" else "B")) != digest
