"""Revoking a staff token: ``DELETE /usertoken/revoke``, then Keyport forgets it.

Why careful: Mindbody's ``DeniedAccess`` may be about the API key rather than the token. The
token is forgotten only when Mindbody confirms the revocation or says the token is invalid;
a refused key keeps the token (it may still work at Mindbody) and says which key to replace.
"""

from __future__ import annotations

from django.db import transaction

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.mindbody_errors import Cause
from connections.models import MindbodySiteConnection
from connections.services import common
from connections.services.budget import counts_calls
from connections.services.causes import settle
from connections.services.common import Status
from connections.services.outcomes import TOKEN_REVOKED_MESSAGE, ConnectionActionError, Outcome
from connections.services.tokens import TOKEN_FIELDS

REVOKE = "mindbody_token_revoke"


@counts_calls
def mindbody_token_revoke(*, connection: MindbodySiteConnection, actor: Actor) -> Outcome:
    """End the token at Mindbody and forget it, once Mindbody confirms or calls it invalid."""
    before = common.fresh(connection.pk)
    common.ensure_token(before)
    already_dead = False
    try:
        default_client().revoke_token(common.credentials(before))
    except MindbodyError as exc:
        cause = settle(before, exc)
        if cause == Cause.KEY:
            common.key_refused(before.pk, action=REVOKE, error=exc, actor=actor)
        if cause != Cause.TOKEN:
            failed = common.record_failure(before.pk, action=REVOKE, error=exc, actor=actor)
            raise ConnectionActionError(failed.message, failed) from None
        already_dead = True
    with transaction.atomic():
        current = common.locked(before.pk)
        if common.token_changed(current, before):
            return common.finish(common.changed_meanwhile(current, REVOKE))
        current.staff_user_token = ""
        current.token_expires_at = None
        current.token_renewals = 0
        current.token_user_type, current.token_user_id = "", None
        current.status = Status.PENDING
        current.last_error = ""
        common.save(
            current, [*TOKEN_FIELDS, "token_user_type", "token_user_id", "status", "last_error"]
        )
        audit_record(
            actor=actor,
            action=REVOKE,
            organization=current.organization,
            target=current,
            details={"staff_username": current.staff_username, "already_invalid": already_dead},
        )
    return common.outcome(current, REVOKE, ok=True, message=TOKEN_REVOKED_MESSAGE)
