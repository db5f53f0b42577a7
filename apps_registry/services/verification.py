"""Verification of Keyport-issued API keys: the one implementation behind the HTTP endpoint
and Python callers.

It never decrypts: the key and the verifier token are found by their SHA-256 digests, the
key with its app and the app's scope codes, in one query of indexed lookups that selects no
encrypted column (``selectors_verification``; tests assert the SQL); only when it finds
nothing is the token looked up alone, to tell a bad token (401) from a missing key. No
constant-time comparison is needed after a lookup by the digest of the whole presented key:
a timing difference can only tell an attacker about digests, and steering one towards a
stored digest means finding SHA-256 preimages of 256 random bits. It answers with a verdict
code rather than raising, like Unkey. Last use is stamped at most once
per key per minute (``services/last_use.py``), so most calls write nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.models import ApiKey
from apps_registry.models.applications import CredentialOrigin
from apps_registry.models.keys import key_status
from apps_registry.selectors_verification import key_for_verification
from apps_registry.services.last_use import last_use_stamp
from apps_registry.services.verifier_auth import verifier_accept, verifier_token_authenticate


class Verdict(StrEnum):
    VALID = "VALID"
    NOT_FOUND = "NOT_FOUND"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    APP_INACTIVE = "APP_INACTIVE"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"


@dataclass(frozen=True)
class Verification:
    """The answer: a code, and what the key is (only when it exists for the asker)."""

    code: Verdict
    application: dict[str, Any] | None = None
    key: dict[str, Any] | None = None
    key_id: int | None = field(default=None, repr=False)
    verifier_id: int | None = field(default=None, repr=False)

    @property
    def valid(self) -> bool:
        return self.code is Verdict.VALID

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"valid": self.valid, "code": self.code.value}
        if self.application is not None:
            answer["application"] = self.application
            answer["key"] = self.key
        return answer


def _verdict(row: dict[str, Any], scopes: Sequence[str], now: dt.datetime) -> Verdict:
    if row["revoked_at"] is not None:
        return Verdict.REVOKED
    if row["expires_at"] <= now:
        return Verdict.EXPIRED
    if not row["application__is_active"]:
        return Verdict.APP_INACTIVE
    if not set(scopes) <= set(row["scope_codes"]):
        return Verdict.INSUFFICIENT_SCOPE
    return Verdict.VALID


def _answer(
    row: dict[str, Any], scopes: Sequence[str], now: dt.datetime, verifier: Any
) -> Verification:
    status = key_status(
        expires_at=row["expires_at"],
        revoked=row["revoked_at"] is not None,
        replaced=row["replaced_by_id"] is not None,
        now=now,
    )
    return Verification(
        code=_verdict(row, scopes, now),
        application={
            "application_id": row["application__application_id"],
            "name": row["application__name"],
            "auth_method": row["application__auth_method"],
            "source_app": row["application__source_app"],
            "login_user_type": row["application__login_user_type"],
            "scopes": row["scope_codes"],
        },
        key={"prefix": row["prefix"], "expires_at": row["expires_at"], "status": status.value},
        key_id=row["id"],
        verifier_id=verifier,
    )


@sensitive_variables("raw_key", "verifier_token")
def api_key_verify(
    raw_key: str,
    *,
    scopes: Sequence[str] = (),
    verifier_token: str | None = None,
    organization_id: int | None = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Verification:
    """Whether ``raw_key`` is a usable Keyport-issued key carrying ``scopes``.

    With ``verifier_token`` (the endpoint) the token must be valid, or this raises
    ``VerifierRefusedError`` (audited), and only keys of its organization exist; with
    ``organization_id`` (a Python caller) likewise. Another organization's key is
    ``NOT_FOUND``, exactly like a key that does not exist, and so are keys recorded from
    Zenoti (Zenoti verifies those). A key found is stamped as used (once a minute).
    """
    now = now or timezone.now()
    token_digest = credentials.key_digest(verifier_token) if verifier_token is not None else None
    row = key_for_verification(
        credentials.key_digest(raw_key), organization_id=organization_id, token_digest=token_digest
    )
    verifier_id = None
    if verifier_token is not None:
        if row is None:  # no such key for this token, or no such token: which one?
            identity = verifier_token_authenticate(verifier_token, ip=ip, now=now)
            return Verification(Verdict.NOT_FOUND, verifier_id=identity.id)
        verifier = row["verifier"]
        verifier_id = verifier_accept(verifier, raw_token=verifier_token, ip=ip, now=now).id
    if row is None or row["application__credential_origin"] != CredentialOrigin.GENERATED:
        return Verification(Verdict.NOT_FOUND, verifier_id=verifier_id)
    seen_by = {"last_verified_by_id": verifier_id} if verifier_id is not None else {}
    last_use_stamp(model=ApiKey, pk=row["id"], last_used_at=row["last_used_at"], now=now, **seen_by)
    return _answer(row, scopes, now, verifier_id)
