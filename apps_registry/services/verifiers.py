"""Writes for verifier tokens: create, rotate, revoke; each audited without the token.

A verifier token is what a gateway presents to ``POST /api/v1/keys/verify``. Rotation works
like an API key's: a new token now, the old one valid for the organization's grace period.
Revocation is permanent. The plaintext is returned once and only its digest is stored.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import Organization, VerifierToken

VERIFIER_ROTATE_REVOKED_MESSAGE = "A revoked verifier token cannot be rotated; create a new one."
VERIFIER_ROTATE_TWICE_MESSAGE = "This verifier token was already rotated; rotate its replacement."
VERIFIER_REVOKE_TWICE_MESSAGE = "This verifier token is already revoked."
VERIFIER_EXPIRES_IN_PAST_MESSAGE = "The expiry must be in the future."


class VerifierStateError(Exception):
    """A verifier token action that makes no sense in the token's current state."""


def _details(token: VerifierToken) -> dict[str, str]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat() if token.expires_at else "",
    }


@sensitive_variables("raw_token")
@transaction.atomic
def verifier_token_create(
    *,
    organization: Organization,
    name: str,
    actor: Actor,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[VerifierToken, str]:
    """A new verifier token of ``organization``; the plaintext is returned once."""
    now = now or timezone.now()
    if expires_at is not None and expires_at <= now:
        raise VerifierStateError(VERIFIER_EXPIRES_IN_PAST_MESSAGE)
    prefix, raw_token = credentials.new_verifier_token()
    token = VerifierToken(
        organization=organization,
        name=name,
        prefix=prefix,
        token_digest=credentials.key_digest(raw_token),
        created_at=now,
        expires_at=expires_at,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action="verifier_token_create",
        organization=organization,
        target=token,
        details=_details(token),
    )
    return token, raw_token


@sensitive_variables("raw_token")
@transaction.atomic
def verifier_token_rotate(
    *, verifier_token: VerifierToken, actor: Actor, now: dt.datetime | None = None
) -> tuple[VerifierToken, str]:
    """A replacement with the same name and expiry; the old token works for the grace period."""
    now = now or timezone.now()
    old = (
        VerifierToken.objects.select_for_update()
        .select_related("organization")
        .get(pk=verifier_token.pk)
    )
    if old.revoked_at is not None:
        raise VerifierStateError(VERIFIER_ROTATE_REVOKED_MESSAGE)
    if old.replaced_by_id is not None:
        raise VerifierStateError(VERIFIER_ROTATE_TWICE_MESSAGE)
    still_valid = old.expires_at if old.expires_at and old.expires_at > now else None
    new, raw_token = verifier_token_create(
        organization=old.organization, name=old.name, actor=actor, expires_at=still_valid, now=now
    )
    grace_end = now + dt.timedelta(days=old.organization.rotation_grace_days)
    old.expires_at = min(old.expires_at, grace_end) if old.expires_at else grace_end
    old.replaced_by = new
    old.save(update_fields=["expires_at", "replaced_by"])
    audit_record(
        actor=actor,
        action="verifier_token_rotate",
        organization=old.organization,
        target=old,
        details={**_details(old), "new_prefix": new.prefix},
    )
    return new, raw_token


@transaction.atomic
def verifier_token_revoke(
    *, verifier_token: VerifierToken, actor: Actor, now: dt.datetime | None = None
) -> VerifierToken:
    """Revoke for good: every call with this token is refused (401) from now on."""
    token = (
        VerifierToken.objects.select_for_update()
        .select_related("organization")
        .get(pk=verifier_token.pk)
    )
    if token.revoked_at is not None:
        raise VerifierStateError(VERIFIER_REVOKE_TWICE_MESSAGE)
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="verifier_token_revoke",
        organization=token.organization,
        target=token,
        details=_details(token),
    )
    return token
