"""The activation code and link a live site's owner uses to approve Keyport.

``GET /site/activationcode`` answers only once Mindbody has approved the developer account
for live access; a refused API key is named as such, anything else keeps Mindbody's words.
"""

from __future__ import annotations

from django.db import transaction

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.mindbody_errors import Cause, classify
from connections.models import MindbodySiteConnection
from connections.services import common
from connections.services.budget import counts_calls
from connections.services.common import Status
from connections.services.outcomes import (
    ACTIVATION_FETCHED_MESSAGE,
    ConnectionActionError,
    Outcome,
)

ACTIVATION = "mindbody_activation_fetch"


@counts_calls
def mindbody_activation_fetch(*, connection: MindbodySiteConnection, actor: Actor) -> Outcome:
    """Fetch the code and link the site owner uses to approve Keyport for a live site."""
    before = common.fresh(connection.pk)
    try:
        activation = default_client().activation_code(common.credentials(before, staff=False))
    except MindbodyError as exc:
        if classify(exc) == Cause.KEY:
            return common.key_refused(before.pk, action=ACTIVATION, error=exc, actor=actor)
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
