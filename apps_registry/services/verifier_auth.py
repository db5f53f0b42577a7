"""Who is asking: the verifier token behind a call to the verification endpoint.

Found by its digest with one indexed lookup (only the digest is stored, so there is nothing
to decrypt; ``selectors_verification``). A refused token (unknown, expired, revoked) is
audited: a flood of them is what an operator needs to see. Accepted calls are not audited;
last use is stamped at most once a minute.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import VerifierToken
from apps_registry.selectors_verification import verifier_for_verification
from apps_registry.services.last_use import last_use_stamp

VERIFIER_UNKNOWN_MESSAGE = "The verifier token is not valid."
VERIFIER_EXPIRED_MESSAGE = "The verifier token has expired; create or rotate one in Keyport."
VERIFIER_REVOKED_MESSAGE = "The verifier token was revoked; create a new one in Keyport."
PREFIX_SHAPE = re.compile(rf"^{credentials.VERIFIER_PREFIX_MARK}[A-Za-z0-9]{{8}}$")


class VerifierRefusedError(Exception):
    """The presented verifier token does not authenticate (the message says why)."""


@dataclass(frozen=True)
class VerifierIdentity:
    """The accepted verifier: enough to scope and stamp, nothing secret."""

    id: int
    organization_id: int
    prefix: str


def _presented_prefix(raw_token: str) -> str:
    """The token's prefix when it has the shape of one (never any other part of it)."""
    head = raw_token.split(".", 1)[0]
    return head if PREFIX_SHAPE.match(head) else ""


@sensitive_variables("raw_token")
def _refuse(raw_token: str, reason: str, message: str, ip: str | None, pk: int | None) -> NoReturn:
    token = VerifierToken.objects.select_related("organization").get(pk=pk) if pk else None
    prefix = token.prefix if token else _presented_prefix(raw_token)
    audit_record(
        actor=Actor(user=None, label=f"verifier:{prefix or 'unknown'}", ip=ip),
        action="verifier_token_refused",
        organization=token.organization if token else None,
        target=token,
        details={"reason": reason, "prefix": prefix},
    )
    raise VerifierRefusedError(message)


@sensitive_variables("raw_token")
def verifier_accept(
    row: dict[str, Any] | None, *, raw_token: str, ip: str | None, now: dt.datetime
) -> VerifierIdentity:
    """Judge a verifier row: the identity, or an audited refusal."""
    if row is None:
        _refuse(raw_token, "unknown", VERIFIER_UNKNOWN_MESSAGE, ip, None)
    if row["revoked_at"] is not None:
        _refuse(raw_token, "revoked", VERIFIER_REVOKED_MESSAGE, ip, row["id"])
    if row["expires_at"] is not None and row["expires_at"] <= now:
        _refuse(raw_token, "expired", VERIFIER_EXPIRED_MESSAGE, ip, row["id"])
    last_use_stamp(model=VerifierToken, pk=row["id"], last_used_at=row["last_used_at"], now=now)
    return VerifierIdentity(row["id"], row["organization_id"], row["prefix"])


@sensitive_variables("raw_token")
def verifier_token_authenticate(
    raw_token: str, *, ip: str | None = None, now: dt.datetime
) -> VerifierIdentity:
    """The verifier behind ``raw_token``; raises ``VerifierRefusedError`` (audited)."""
    row = verifier_for_verification(credentials.key_digest(raw_token))
    return verifier_accept(row, raw_token=raw_token, ip=ip, now=now)
