"""Verification of Keyport-issued API keys: the one implementation behind the HTTP endpoint
and Python callers.

It never decrypts. The key is found by its SHA-256 digest with ``values()``, so the
encrypted ``key`` and ``secret`` columns are not even selected (tests assert the SQL), and
it answers with a verdict code rather than raising, like Unkey. Last use is stamped at most
once per key per ``LAST_USED_PRECISION``: the row read says whether the stamp is stale, so
most calls write nothing, and a conditional ``UPDATE`` keeps racing workers to one write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.models import ApiKey, ApiScope
from apps_registry.models.applications import CredentialOrigin

LAST_USED_PRECISION = dt.timedelta(seconds=60)

KEY_COLUMNS = (
    "id",
    "application_id",
    "prefix",
    "expires_at",
    "revoked_at",
    "replaced_by_id",
    "last_used_at",
)
APPLICATION_COLUMNS = (
    "application_id",
    "organization_id",
    "name",
    "auth_method",
    "source_app",
    "login_user_type",
    "is_active",
    "credential_origin",
)


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

    @property
    def valid(self) -> bool:
        return self.code is Verdict.VALID

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"valid": self.valid, "code": self.code.value}
        if self.application is not None:
            answer["application"] = self.application
            answer["key"] = self.key
        return answer


NOT_FOUND = Verification(Verdict.NOT_FOUND)


def _lookup(digest: str) -> dict[str, Any] | None:
    """One indexed SELECT by digest; no encrypted column in the select list."""
    columns = [*KEY_COLUMNS, *(f"application__{name}" for name in APPLICATION_COLUMNS)]
    rows = list(ApiKey.objects.filter(key_digest=digest).order_by().values(*columns)[:1])
    return rows[0] if rows else None


def _verdict(
    row: dict[str, Any], scopes: Sequence[str], granted: list[str], now: dt.datetime
) -> Verdict:
    if row["revoked_at"] is not None:
        return Verdict.REVOKED
    if row["expires_at"] <= now:
        return Verdict.EXPIRED
    if not row["application__is_active"]:
        return Verdict.APP_INACTIVE
    if not set(scopes) <= set(granted):
        return Verdict.INSUFFICIENT_SCOPE
    return Verdict.VALID


def _stamp_last_use(row: dict[str, Any], verifier_id: int | None, now: dt.datetime) -> None:
    stale_before = now - LAST_USED_PRECISION
    if row["last_used_at"] is not None and row["last_used_at"] >= stale_before:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before), pk=row["id"]
    ).update(last_used_at=now, last_verified_by_id=verifier_id)


@sensitive_variables("raw_key")
def api_key_verify(
    raw_key: str,
    *,
    organization_id: int | None = None,
    scopes: Sequence[str] = (),
    verifier_id: int | None = None,
    now: dt.datetime | None = None,
) -> Verification:
    """Whether ``raw_key`` is a usable Keyport-issued key carrying ``scopes``.

    With ``organization_id`` (a verifier's organization) another organization's key is
    ``NOT_FOUND``, exactly like a key that does not exist. Keys recorded from Zenoti are
    ``NOT_FOUND`` too: Zenoti verifies those. Any key found is stamped as used.
    """
    now = now or timezone.now()
    row = _lookup(credentials.key_digest(raw_key))
    if (
        row is None
        or row["application__credential_origin"] != CredentialOrigin.GENERATED
        or (organization_id is not None and row["application__organization_id"] != organization_id)
    ):
        return NOT_FOUND
    granted = list(
        ApiScope.objects.filter(applications=row["application_id"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    _stamp_last_use(row, verifier_id, now)
    status = ApiKey(
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        replaced_by_id=row["replaced_by_id"],
    ).status(now)
    return Verification(
        code=_verdict(row, scopes, granted, now),
        application={
            "application_id": row["application__application_id"],
            "name": row["application__name"],
            "auth_method": row["application__auth_method"],
            "source_app": row["application__source_app"],
            "login_user_type": row["application__login_user_type"],
            "scopes": granted,
        },
        key={"prefix": row["prefix"], "expires_at": row["expires_at"], "status": status.value},
        key_id=row["id"],
    )
