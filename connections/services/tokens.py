"""Staff tokens: issue from a username and password, renew before they lapse, revoke.

The password goes straight from the caller to Mindbody and is never stored, logged or
audited. Renewal is split into a network half (``renew_call``, no database) and a write
half (``renew_record``) so a pass can run many calls at once and write one row at a time.
The renew answer is an untyped object: any 2xx is a renewal Mindbody applied, counted once;
a renewal that may have been applied without an answer is counted too (Keyport's count is
never below Mindbody's) and never sent again in the same pass.
"""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.mindbody_errors import Cause
from connections.models import MAX_TOKEN_RENEWALS, MindbodySiteConnection
from connections.services import common
from connections.services.budget import counts_calls
from connections.services.causes import settle
from connections.services.common import Call, Notice, Status
from connections.services.outcomes import (
    ISSUE_UNCERTAIN_MESSAGE,
    RENEWAL_UNCERTAIN_MESSAGE,
    RENEWALS_USED_UP_MESSAGE,
    TOKEN_EXPIRED_STATE_MESSAGE,
    TOKEN_ISSUED_MESSAGE,
    TOKEN_LAPSED_MESSAGE,
    TOKEN_REFUSED_MESSAGE,
    TOKEN_RENEWED_MESSAGE,
    ConnectionActionError,
    Outcome,
)

RENEWAL_LIFETIME = dt.timedelta(hours=24)  # "24 hrs from current expiration"
UNCERTAIN = "uncertain"
TOKEN_FIELDS = ["staff_user_token", "token_expires_at", "token_renewals"]
USER_FIELDS = ["staff_username", "token_user_type", "token_user_id"]
ISSUE, RENEW = "mindbody_token_issue", "mindbody_token_renew"


def _issue_failed(before: MindbodySiteConnection, exc: MindbodyError, actor: Actor) -> NoReturn:
    """Name the cause; a refused key also becomes ``key_refused`` (and its one email)."""
    if exc.maybe_processed:
        message = ISSUE_UNCERTAIN_MESSAGE.format(error=exc.text)
    elif settle(before, exc) == Cause.KEY:
        common.key_refused(before.pk, action=ISSUE, error=exc, actor=actor)
    else:
        message = ""
    failed = common.record_failure(before.pk, action=ISSUE, error=exc, actor=actor, message=message)
    raise ConnectionActionError(failed.message, failed)


@counts_calls
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
        _issue_failed(before, exc, actor)
    with transaction.atomic():
        current = common.locked(before.pk)
        current.staff_user_token = issued.access_token
        current.token_expires_at = issued.expires_at
        current.token_renewals = 0
        current.staff_username = username
        current.token_user_type = issued.user.user_type
        current.token_user_id = issued.user.user_id
        current.status = Status.PENDING
        current.last_error = ""
        common.save(current, [*TOKEN_FIELDS, *USER_FIELDS, "status", "last_error"])
        audit_record(
            actor=actor,
            action=ISSUE,
            organization=current.organization,
            target=current,
            details={
                "staff_username": username,
                "user_type": issued.user.user_type,
                "user_id": issued.user.user_id,
                "token_expires_at": issued.expires_at.isoformat(),
            },
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
        if exc.maybe_processed:
            return Call(connection, error=exc, cause=UNCERTAIN)
        return Call(connection, error=exc, cause=settle(connection, exc))


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
        if call.cause == UNCERTAIN:
            return _uncertain(current, call.error, actor=actor)
        if call.cause == Cause.KEY:
            return common.refuse_key(current, action=RENEW, error=call.error, actor=actor)
        if call.cause == Cause.TOKEN:
            reason = TOKEN_REFUSED_MESSAGE.format(error=call.error.text)
            return common.expire(
                current, action=RENEW, reason=reason, actor=actor, error=call.error
            )
    return common.record_failure(current.pk, action=RENEW, error=call.error, actor=actor), None


def _renewed(
    current: MindbodySiteConnection, call: Call, *, actor: Actor
) -> tuple[Outcome, Notice]:
    assert current.token_expires_at is not None
    answer = call.result
    if answer.access_token:
        current.staff_user_token = answer.access_token
    current.token_expires_at = answer.expires_at or current.token_expires_at + RENEWAL_LIFETIME
    current.token_renewals = min(current.token_renewals + 1, MAX_TOKEN_RENEWALS)
    fields = [*TOKEN_FIELDS]
    if current.status in (Status.ACTIVE, Status.PENDING):
        current.last_error = ""
        fields.append("last_error")
    common.save(current, fields)
    expires = current.token_expires_at
    audit_record(
        actor=actor,
        action=RENEW,
        organization=current.organization,
        target=current,
        details={
            "renewals": current.token_renewals,
            "token_expires_at": expires.isoformat(),
            "expiry_from": "answer" if answer.expires_at else "rule",
        },
    )
    message = TOKEN_RENEWED_MESSAGE.format(expires=expires, left=current.renewals_left())
    return common.outcome(current, RENEW, ok=True, message=message), None


def _uncertain(
    current: MindbodySiteConnection, error: MindbodyError, *, actor: Actor
) -> tuple[Outcome, Notice]:
    """Count a renewal Mindbody may have applied; keep the expiry we are sure of."""
    current.token_renewals = min(current.token_renewals + 1, MAX_TOKEN_RENEWALS)
    current.last_error = RENEWAL_UNCERTAIN_MESSAGE.format(error=error.text)
    common.save(current, ["token_renewals", "last_error"])
    audit_record(
        actor=actor,
        action=f"{RENEW}_uncertain",
        organization=current.organization,
        target=current,
        details={"renewals": current.token_renewals, **common.error_details(error)},
    )
    return common.outcome(current, RENEW, ok=False, message=current.last_error), None


@counts_calls
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
