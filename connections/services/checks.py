"""Verification and the activation code a live site's owner approves.

Why two calls: ``GET /site/locations`` takes the staff token as optional, so it proves only
the API key and the site (it is sent without a token, and every page is counted). The token
is proven by ``GET /site/liabilitywaiver``, which Mindbody documents as requiring staff user
credentials and which returns no client data. A connection without a live token gets the
tokenless read only. A failure never leaves a connection ``active``: a refused key becomes
``key_refused``, a refused token ``token_expired``, a site awaiting its owner
``activation_required``, anything else ``failing``, each with Mindbody's own words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections import notifications
from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.mindbody_errors import Cause, classify
from connections.models import MindbodySiteConnection
from connections.services import common
from connections.services.budget import counts_calls
from connections.services.common import Call, Notice, Status
from connections.services.outcomes import (
    ACTIVATION_PENDING_MESSAGE,
    SITE_CHECKED_MESSAGE,
    TOKEN_LAPSED_MESSAGE,
    TOKEN_REFUSED_MESSAGE,
    VERIFIED_MESSAGE,
    ConnectionActionError,
    Outcome,
)

VERIFY = "mindbody_verify"


@dataclass(frozen=True)
class Checked:
    locations: int
    token_proven: bool


def _token_checkable(connection: MindbodySiteConnection) -> bool:
    return connection.has_token and connection.status != Status.TOKEN_EXPIRED


def verify_call(connection: MindbodySiteConnection, *, now: dt.datetime) -> Call:
    """The tokenless read, then (with a live token) the staff-only read; no database."""
    if _token_checkable(connection) and connection.token_lapsed(now):
        return Call(connection)
    try:
        count = default_client().location_count(common.credentials(connection, staff=False))
    except MindbodyError as exc:
        return Call(connection, error=exc, cause=classify(exc))
    if not _token_checkable(connection):
        return Call(connection, result=Checked(count, token_proven=False))
    try:
        default_client().staff_check(common.credentials(connection))
    except MindbodyError as exc:
        # Key and site just answered, so a bare DeniedAccess is about the token.
        cause = classify(exc)
        cause = Cause.TOKEN if cause == Cause.DENIED else cause
        return Call(connection, result=Checked(count, False), error=exc, cause=cause)
    return Call(connection, result=Checked(count, token_proven=True))


def _awaiting_owner(connection: MindbodySiteConnection) -> bool:
    """A live site that was never verified and whose activation link was already fetched."""
    return (
        not connection.is_sandbox
        and connection.last_verified_at is None
        and bool(connection.activation_code)
    )


def _failed(
    current: MindbodySiteConnection, call: Call, *, actor: Actor
) -> tuple[Outcome, Notice] | str:
    """Write a refusal; returns the (outcome, notice) of key/token ones, else the message."""
    assert call.error is not None
    cause, awaiting = call.cause, _awaiting_owner(current)
    if cause == Cause.KEY or (cause == Cause.DENIED and not awaiting):
        return common.refuse_key(current, action=VERIFY, error=call.error, actor=actor)
    if cause == Cause.TOKEN:
        reason = TOKEN_REFUSED_MESSAGE.format(error=call.error.text)
        return common.expire(current, action=VERIFY, reason=reason, actor=actor, error=call.error)
    if awaiting or (cause == Cause.SITE and not current.is_sandbox):
        current.status = Status.ACTIVATION_REQUIRED
        return ACTIVATION_PENDING_MESSAGE.format(error=call.error.text)
    current.status = Status.FAILING
    return call.error.text


def _succeeded(current: MindbodySiteConnection, checked: Checked, now: dt.datetime) -> str:
    if checked.token_proven:
        if current.status != Status.TOKEN_EXPIRED:  # a token out of renewals works until it lapses
            current.status, current.last_error = Status.ACTIVE, ""
        current.last_verified_at = now
        return VERIFIED_MESSAGE.format(count=checked.locations)
    if current.status in (Status.KEY_REFUSED, Status.FAILING, Status.ACTIVATION_REQUIRED):
        current.status, current.last_error = Status.PENDING, ""
    return SITE_CHECKED_MESSAGE.format(count=checked.locations)


def verify_record(call: Call, *, actor: Actor, now: dt.datetime) -> tuple[Outcome, Notice]:
    with transaction.atomic():
        current = common.locked(call.connection.pk)
        if common.token_changed(current, call.connection) or (
            current.api_key != call.connection.api_key
        ):
            return common.changed_meanwhile(current, VERIFY)
        previous = current.status
        if call.result is None and call.error is None:
            assert current.token_expires_at is not None
            reason = TOKEN_LAPSED_MESSAGE.format(expires=current.token_expires_at)
            return common.expire(current, action=VERIFY, reason=reason, actor=actor)
        if call.result is not None:
            current.site_checked_at, current.location_count = now, call.result.locations
        if call.error is None:
            message = _succeeded(current, call.result, now)
            details = {"result": "ok", "locations": call.result.locations}
        else:
            written = _failed(current, call, actor=actor)
            if isinstance(written, tuple):
                common.save(current, ["site_checked_at", "location_count"])
                return written
            current.last_error = message = written
            details = {"result": "failed", "cause": call.cause, **common.error_details(call.error)}
        fields = ["status", "last_error", "last_verified_at", "site_checked_at", "location_count"]
        common.save(current, fields)
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


@counts_calls
def mindbody_connection_verify(
    *, connection: MindbodySiteConnection, actor: Actor, now: dt.datetime | None = None
) -> Outcome:
    """Prove now that key and site work and, when there is a live token, the token too."""
    now = now or timezone.now()
    before = common.fresh(connection.pk)
    return common.finish(verify_record(verify_call(before, now=now), actor=actor, now=now))


def mindbody_connection_check(
    *, connection: MindbodySiteConnection, actor: Actor, now: dt.datetime | None = None
) -> Outcome | ConnectionActionError:
    """The check run when a connection is added or its key replaced; never raises."""
    try:
        return mindbody_connection_verify(connection=connection, actor=actor, now=now)
    except ConnectionActionError as exc:
        return exc
