"""Staff tokens: issue from a username and password, renew before they lapse, revoke.

The password goes straight from the caller to Mindbody and is never stored, logged or
audited. Renewal is split into a network half (``renew_call``, no database) and a write
half (``renew_record``) so a pass can run many calls at once and write one row at a time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.models import MindbodySiteConnection
from connections.services import common
from connections.services.common import Call, Notice, Status
from connections.services.outcomes import (
    RENEWALS_USED_UP_MESSAGE,
    TOKEN_EXPIRED_STATE_MESSAGE,
    TOKEN_ISSUED_MESSAGE,
    TOKEN_LAPSED_MESSAGE,
    TOKEN_REFUSED_MESSAGE,
    TOKEN_RENEWED_MESSAGE,
    TOKEN_REVOKED_MESSAGE,
    ConnectionActionError,
    Outcome,
)

TOKEN_DEAD_STATUSES = frozenset({400, 401, 403})
TOKEN_FIELDS = ["staff_user_token", "token_expires_at", "token_renewals"]
ISSUE, RENEW, REVOKE = "mindbody_token_issue", "mindbody_token_renew", "mindbody_token_revoke"


@sensitive_variables("password", "issued")
def mindbody_token_issue(
    *,
    connection: MindbodySiteConnection,
    username: str,
    password: str,
    actor: Actor,
) -> Outcome:
    """Exchange a staff member's username and password for a 24-hour token, once."""
    before = common.fresh(connection.pk)
    try:
        issued = default_client().issue_token(
            common.credentials(before, staff=False), username=username, password=password
        )
    except MindbodyError as exc:
        failed = common.record_failure(before.pk, action=ISSUE, error=exc, actor=actor)
        raise ConnectionActionError(failed.message, failed) from None
    with transaction.atomic():
        current = common.locked(before.pk)
        current.staff_user_token = issued.access_token  # type: ignore[assignment]
        current.token_expires_at = issued.expires_at
        current.token_renewals = 0
        current.staff_username = username
        current.status = Status.PENDING
        current.last_error = ""
        common.save(
            current,
            [*TOKEN_FIELDS, "staff_username", "status", "last_error"],
        )
        audit_record(
            actor=actor,
            action=ISSUE,
            organization=current.organization,
            target=current,
            details={"staff_username": username, "token_expires_at": issued.expires_at.isoformat()},
        )
    message = TOKEN_ISSUED_MESSAGE.format(username=username, expires=issued.expires_at)
    return common.outcome(current, ISSUE, ok=True, message=message)


def renew_call(connection: MindbodySiteConnection, *, now: dt.datetime) -> Call:
    """Ask Mindbody to extend the token, unless it has lapsed or used its 7 renewals."""
    if connection.renewals_left() == 0 or connection.token_lapsed(now):
        return Call(connection)
    try:
        return Call(connection, result=default_client().renew_token(common.credentials(connection)))
    except MindbodyError as exc:
        return Call(connection, error=exc)


def renew_record(call: Call, *, actor: Actor, now: dt.datetime) -> tuple[Outcome, Notice]:
    """Write what ``renew_call`` learned; a dead token becomes ``token_expired`` (one email)."""
    with transaction.atomic():
        current = common.locked(call.connection.pk)
        if common.token_changed(current, call.connection):
            return common.changed_meanwhile(current, RENEW)
        if call.result is not None:
            return _renewed(current, call, actor=actor)
        if call.error is None:
            assert current.token_expires_at is not None
            lapsed = current.token_lapsed(now)
            text = TOKEN_LAPSED_MESSAGE if lapsed else RENEWALS_USED_UP_MESSAGE
            reason = text.format(expires=current.token_expires_at)
            return common.expire(current, action=RENEW, reason=reason, actor=actor)
        if call.error.status in TOKEN_DEAD_STATUSES:
            reason = TOKEN_REFUSED_MESSAGE.format(error=call.error.text)
            return common.expire(
                current, action=RENEW, reason=reason, actor=actor, error=call.error
            )
    return common.record_failure(current.pk, action=RENEW, error=call.error, actor=actor), None


def _renewed(
    current: MindbodySiteConnection, call: Call, *, actor: Actor
) -> tuple[Outcome, Notice]:
    current.staff_user_token = call.result.access_token
    current.token_expires_at = call.result.expires_at
    current.token_renewals += 1
    fields = [*TOKEN_FIELDS]
    if current.status in (Status.ACTIVE, Status.PENDING):
        current.last_error = ""
        fields.append("last_error")
    common.save(current, fields)
    audit_record(
        actor=actor,
        action=RENEW,
        organization=current.organization,
        target=current,
        details={
            "renewals": current.token_renewals,
            "token_expires_at": call.result.expires_at.isoformat(),
        },
    )
    message = TOKEN_RENEWED_MESSAGE.format(
        expires=call.result.expires_at, left=current.renewals_left()
    )
    return common.outcome(current, RENEW, ok=True, message=message), None


def mindbody_token_renew(
    *, connection: MindbodySiteConnection, actor: Actor, now: dt.datetime | None = None
) -> Outcome:
    """Renew one connection's token now (the admin button; the hourly pass does many)."""
    now = now or timezone.now()
    before = common.fresh(connection.pk)
    common.ensure_token(before)
    if before.status == Status.TOKEN_EXPIRED:
        raise ConnectionActionError(TOKEN_EXPIRED_STATE_MESSAGE)
    return common.finish(renew_record(renew_call(before, now=now), actor=actor, now=now))


def mindbody_token_revoke(*, connection: MindbodySiteConnection, actor: Actor) -> Outcome:
    """End the token at Mindbody and forget it (also when Mindbody already refuses it)."""
    before = common.fresh(connection.pk)
    common.ensure_token(before)
    already_dead = False
    try:
        default_client().revoke_token(common.credentials(before))
    except MindbodyError as exc:
        if exc.status not in TOKEN_DEAD_STATUSES:
            failed = common.record_failure(before.pk, action=REVOKE, error=exc, actor=actor)
            raise ConnectionActionError(failed.message, failed) from None
        already_dead = True
    with transaction.atomic():
        current = common.locked(before.pk)
        if common.token_changed(current, before):
            return common.finish(common.changed_meanwhile(current, REVOKE))
        current.staff_user_token = ""  # type: ignore[assignment]
        current.token_expires_at = None
        current.token_renewals = 0
        current.status = Status.PENDING
        current.last_error = ""
        common.save(
            current,
            [*TOKEN_FIELDS, "status", "last_error"],
        )
        audit_record(
            actor=actor,
            action=REVOKE,
            organization=current.organization,
            target=current,
            details={"staff_username": current.staff_username, "already_invalid": already_dead},
        )
    return common.outcome(current, REVOKE, ok=True, message=TOKEN_REVOKED_MESSAGE)
