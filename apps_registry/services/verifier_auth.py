"""Who is asking: the verifier token behind a call to the verification endpoint.

Found by its digest with ``values()`` (one indexed SELECT, nothing decrypted). A refused
token (unknown, expired, revoked) is audited: a flood of them is what an operator needs to
see. Accepted calls are not audited; the token's last use is stamped at most once a minute.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NoReturn

from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import VerifierToken
from apps_registry.services.verification import LAST_USED_PRECISION

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
def verifier_token_authenticate(
    raw_token: str, *, ip: str | None = None, now: dt.datetime | None = None
) -> VerifierIdentity:
    """The verifier behind ``raw_token``; raises ``VerifierRefusedError`` (audited) if none."""
    now = now or timezone.now()
    rows = list(
        VerifierToken.objects.filter(token_digest=credentials.key_digest(raw_token))
        .order_by()
        .values("id", "organization_id", "prefix", "expires_at", "revoked_at", "last_used_at")[:1]
    )
    if not rows:
        _refuse(raw_token, "unknown", VERIFIER_UNKNOWN_MESSAGE, ip, None)
    row = rows[0]
    if row["revoked_at"] is not None:
        _refuse(raw_token, "revoked", VERIFIER_REVOKED_MESSAGE, ip, row["id"])
    if row["expires_at"] is not None and row["expires_at"] <= now:
        _refuse(raw_token, "expired", VERIFIER_EXPIRED_MESSAGE, ip, row["id"])
    stale_before = now - LAST_USED_PRECISION
    if row["last_used_at"] is None or row["last_used_at"] < stale_before:
        VerifierToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before), pk=row["id"]
        ).update(last_used_at=now)
    return VerifierIdentity(row["id"], row["organization_id"], row["prefix"])
