"""Verification (``GET /site/locations``) and the activation code a live site's owner approves.

A failed verification never leaves a connection ``active``: it becomes ``failing`` (or stays
``activation_required`` while a live site's owner has not approved Keyport yet), with
Mindbody's own words in ``last_error``. Only the step from ``active`` to ``failing`` emails.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections import notifications
from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.models import MindbodySiteConnection
from connections.services import common
from connections.services.common import Call, Notice, Status
from connections.services.outcomes import (
    ACTIVATION_FETCHED_MESSAGE,
    ACTIVATION_PENDING_MESSAGE,
    TOKEN_LAPSED_MESSAGE,
    VERIFIED_MESSAGE,
    ConnectionActionError,
    Outcome,
)

VERIFY, ACTIVATION = "mindbody_verify", "mindbody_activation_fetch"


def verify_call(connection: MindbodySiteConnection, *, now: dt.datetime) -> Call:
    """Read the site's locations with the stored key and token (skipped once it lapsed)."""
    if connection.token_lapsed(now):
        return Call(connection)
    try:
        locations = default_client().locations(common.credentials(connection))
        return Call(connection, result=len(locations))
    except MindbodyError as exc:
        return Call(connection, error=exc)


def _awaiting_owner(connection: MindbodySiteConnection) -> bool:
    """A live site that was never verified and whose activation link was already fetched."""
    return (
        not connection.is_sandbox
        and connection.last_verified_at is None
        and bool(connection.activation_code)
    )


def verify_record(call: Call, *, actor: Actor, now: dt.datetime) -> tuple[Outcome, Notice]:
    with transaction.atomic():
        current = common.locked(call.connection.pk)
        if common.token_changed(current, call.connection):
            return common.changed_meanwhile(current, VERIFY)
        previous = current.status
        if call.result is None and call.error is None:
            assert current.token_expires_at is not None
            reason = TOKEN_LAPSED_MESSAGE.format(expires=current.token_expires_at)
            return common.expire(current, action=VERIFY, reason=reason, actor=actor)
        if call.error is None:
            # A token that can no longer be renewed still works until it lapses.
            if previous != Status.TOKEN_EXPIRED:
                current.status = Status.ACTIVE
                current.last_error = ""
            current.last_verified_at = now
            message = VERIFIED_MESSAGE.format(count=call.result)
            details = {"result": "ok", "locations": call.result}
        else:
            if _awaiting_owner(current):
                current.status = Status.ACTIVATION_REQUIRED
                message = ACTIVATION_PENDING_MESSAGE.format(error=call.error.text)
            else:
                current.status = Status.FAILING
                message = call.error.text
            current.last_error = message
            details = {"result": "failed", **common.error_details(call.error)}
        common.save(current, ["status", "last_error", "last_verified_at"])
        audit_record(
            actor=actor,
            action=VERIFY,
            organization=current.organization,
            target=current,
            details={**details, "previous_status": previous, "status": current.status},
        )
    starts_failing = previous == Status.ACTIVE and current.status == Status.FAILING
    notice = notifications.FAILING if starts_failing else None
    return common.outcome(current, VERIFY, ok=call.error is None, message=message), notice


def mindbody_connection_verify(
    *, connection: MindbodySiteConnection, actor: Actor, now: dt.datetime | None = None
) -> Outcome:
    """Prove now that the key, the site and the token work together."""
    now = now or timezone.now()
    before = common.fresh(connection.pk)
    common.ensure_token(before)
    return common.finish(verify_record(verify_call(before, now=now), actor=actor, now=now))


def mindbody_activation_fetch(*, connection: MindbodySiteConnection, actor: Actor) -> Outcome:
    """Fetch the code and link the site owner uses to approve Keyport for a live site."""
    before = common.fresh(connection.pk)
    try:
        activation = default_client().activation_code(common.credentials(before, staff=False))
    except MindbodyError as exc:
        failed = common.record_failure(before.pk, action=ACTIVATION, error=exc, actor=actor)
        raise ConnectionActionError(failed.message, failed) from None
    with transaction.atomic():
        current = common.locked(before.pk)
        current.activation_code = activation.code
        current.activation_link = activation.link
        fields = ["activation_code", "activation_link"]
        if not current.is_sandbox and current.status in (Status.PENDING, Status.FAILING):
            current.status = Status.ACTIVATION_REQUIRED
            fields.append("status")
        common.save(current, fields)
        audit_record(
            actor=actor,
            action=ACTIVATION,
            organization=current.organization,
            target=current,
            details={"activation_code": activation.code, "status": current.status},
        )
    return common.outcome(current, ACTIVATION, ok=True, message=ACTIVATION_FETCHED_MESSAGE)
