"""Pieces every Mindbody service shares: fresh reads, locked writes, failures and expiry.

Each action calls Mindbody first and writes afterwards in a short transaction, never holding
a row lock or a transaction across the network. The write re-reads the row under
``select_for_update`` so an answer about a token that was replaced meanwhile is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections import notifications
from connections.mindbody import MindbodyError, SiteCredentials
from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import (
    CHANGED_MEANWHILE_MESSAGE,
    KEY_REFUSED_MESSAGE,
    NO_TOKEN_MESSAGE,
    ConnectionActionError,
    Outcome,
)

Status = ConnectionStatus
Notice = str | None


@dataclass(frozen=True)
class Call:
    """The connection as it was before a call, and what Mindbody answered (or not)."""

    connection: MindbodySiteConnection
    result: Any = None
    error: MindbodyError | None = None
    cause: str = ""


def fresh(connection_id: int) -> MindbodySiteConnection:
    return MindbodySiteConnection.objects.select_related("organization").get(pk=connection_id)


def locked(connection_id: int) -> MindbodySiteConnection:
    """The row, locked until the surrounding transaction ends."""
    return (
        MindbodySiteConnection.objects.select_for_update()
        .select_related("organization")
        .get(pk=connection_id)
    )


@sensitive_variables("token")
def credentials(connection: MindbodySiteConnection, *, staff: bool = True) -> SiteCredentials:
    token = connection.staff_user_token if staff else ""
    return SiteCredentials(api_key=connection.api_key, site_id=connection.site_id, token=token)


def save(connection: MindbodySiteConnection, fields: list[str]) -> None:
    """Validate the changed fields (and the constraints on them), then write only those.

    Unchanged fields were validated when they were written; skipping them keeps a pass over
    a thousand sites from spending most of its time re-checking names and site IDs.
    """
    unchanged = [f.name for f in connection._meta.concrete_fields if f.name not in fields]
    connection.full_clean(exclude=unchanged)
    connection.save(update_fields=[*fields, "updated_at"])


def outcome(connection: MindbodySiteConnection, action: str, *, ok: bool, message: str) -> Outcome:
    return Outcome(connection.pk, str(connection), action, ok, connection.status, message)


def token_changed(current: MindbodySiteConnection, before: MindbodySiteConnection) -> bool:
    """True when another action replaced, renewed or revoked the token during the call."""
    return (
        current.staff_user_token != before.staff_user_token
        or current.token_expires_at != before.token_expires_at
    )


def changed_meanwhile(current: MindbodySiteConnection, action: str) -> tuple[Outcome, Notice]:
    return outcome(current, action, ok=False, message=CHANGED_MEANWHILE_MESSAGE), None


def error_details(error: MindbodyError) -> dict[str, Any]:
    return {"code": error.code, "http_status": error.status}


def record_failure(
    connection_id: int, *, action: str, error: MindbodyError, actor: Actor, message: str = ""
) -> Outcome:
    """Keep Mindbody's words in ``last_error`` and audit the failed attempt."""
    with transaction.atomic():
        current = locked(connection_id)
        current.last_error = message or error.text
        save(current, ["last_error"])
        audit_record(
            actor=actor,
            action=f"{action}_failed",
            organization=current.organization,
            target=current,
            details={**error_details(error), "status": current.status},
        )
    return outcome(current, action, ok=False, message=current.last_error)


def expire(
    current: MindbodySiteConnection, *, action: str, reason: str, actor: Actor, error: Any = None
) -> tuple[Outcome, Notice]:
    """Mark the token dead (inside the caller's transaction); email only on the transition."""
    previous = current.status
    current.status = Status.TOKEN_EXPIRED
    current.last_error = reason
    save(current, ["status", "last_error"])
    audit_record(
        actor=actor,
        action="mindbody_token_expired",
        organization=current.organization,
        target=current,
        details={
            "previous_status": previous,
            "renewals": current.token_renewals,
            "token_expires_at": current.token_expires_at.isoformat()
            if current.token_expires_at
            else None,
            **(error_details(error) if error else {}),
        },
    )
    notice = notifications.TOKEN_EXPIRED if previous != Status.TOKEN_EXPIRED else None
    return outcome(current, action, ok=False, message=reason), notice


def refuse_key(
    current: MindbodySiteConnection, *, action: str, error: MindbodyError, actor: Actor
) -> tuple[Outcome, Notice]:
    """Mindbody refused the API key (inside the caller's transaction); email on the step in."""
    previous = current.status
    current.status = Status.KEY_REFUSED
    current.last_error = KEY_REFUSED_MESSAGE.format(error=error.text)
    save(current, ["status", "last_error"])
    audit_record(
        actor=actor,
        action="mindbody_api_key_refused",
        organization=current.organization,
        target=current,
        details={"previous_status": previous, "during": action, **error_details(error)},
    )
    notice = notifications.KEY_REFUSED if previous != Status.KEY_REFUSED else None
    return outcome(current, action, ok=False, message=current.last_error), notice


def key_refused(connection_id: int, *, action: str, error: MindbodyError, actor: Actor) -> Outcome:
    """``refuse_key`` in its own transaction, then the email and the raised error."""
    with transaction.atomic():
        result = refuse_key(locked(connection_id), action=action, error=error, actor=actor)
    return finish(result)


def finish(result: tuple[Outcome, Notice]) -> Outcome:
    """Send the email the write asked for (after commit), then raise on failure."""
    result_outcome, notice = result
    if notice:
        notifications.send(notice, connection_id=result_outcome.connection_id)
    if not result_outcome.ok:
        raise ConnectionActionError(result_outcome.message, result_outcome)
    return result_outcome


def ensure_token(connection: MindbodySiteConnection) -> None:
    if not connection.has_token:
        raise ConnectionActionError(NO_TOKEN_MESSAGE)
