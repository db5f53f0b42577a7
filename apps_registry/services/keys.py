"""Writes for API keys: generate, rotate, revoke (verification: ``services/verification.py``).

Rotation keeps the old key working for the organization's grace period; revocation is
permanent. Plaintext keys are returned once to the caller and never audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import ApiKey, Application

ZENOTI_ISSUES_KEYS_MESSAGE = (
    "Zenoti issues this app's keys, so Keyport does not generate or rotate them. Rotate the key "
    "in Zenoti (Configuration → Apps → Credentials → Rotate), then record the new key here."
)


LIFETIME_RANGE_MESSAGE = (
    "Choose a lifetime from 1 to {maximum} days (the organization's longest key lifetime)."
)


def last_four_of(raw_key: str) -> str:
    """The last four characters of a key long enough that they reveal next to nothing."""
    return raw_key[-4:] if len(raw_key) >= 16 else ""


class KeyStateError(Exception):
    """A key action that makes no sense for the key's current state (plain message)."""


@sensitive_variables("raw_key")
def store_key(
    *,
    application: Application,
    prefix: str,
    raw_key: str,
    expires_at: dt.datetime,
    actor: Actor,
    label: str = "",
) -> ApiKey:
    key = ApiKey(
        application=application,
        prefix=prefix,
        label=label.strip(),
        key=raw_key,
        key_digest=credentials.key_digest(raw_key),
        last_four=last_four_of(raw_key),
        expires_at=expires_at,
        created_by=actor.user,
    )
    key.full_clean()
    key.save()
    return key


@sensitive_variables("raw_key")
@transaction.atomic
def api_key_generate(
    *,
    application: Application,
    actor: Actor,
    now: dt.datetime | None = None,
    label: str = "",
    lifetime_days: int | None = None,
) -> tuple[ApiKey, str]:
    """Issue a new key valid for ``lifetime_days`` (at most, and by default, the organization's
    key lifetime); returns the key once."""
    if application.issued_by_zenoti:
        raise KeyStateError(ZENOTI_ISSUES_KEYS_MESSAGE)
    maximum = application.organization.api_key_lifetime_days
    days = maximum if lifetime_days is None else lifetime_days
    if not 1 <= days <= maximum:
        raise KeyStateError(LIFETIME_RANGE_MESSAGE.format(maximum=maximum))
    now = now or timezone.now()
    prefix, raw_key = credentials.new_api_key()
    key = store_key(
        application=application,
        prefix=prefix,
        raw_key=raw_key,
        expires_at=now + dt.timedelta(days=days),
        actor=actor,
        label=label,
    )
    audit_record(
        actor=actor,
        action="api_key_generate",
        organization=application.organization,
        target=key,
        details={
            "application_id": application.application_id,
            "label": key.label,
            "expires_at": key.expires_at.isoformat(),
        },
    )
    return key, raw_key


ROTATE_REVOKED_MESSAGE = "A revoked key cannot be rotated; generate a new key instead."
ROTATE_TWICE_MESSAGE = "This key was already rotated; rotate its replacement instead."
REVOKE_TWICE_MESSAGE = "This key is already revoked."


def _locked(api_key: ApiKey) -> ApiKey:
    """The stored row, locked until the transaction ends, so two actions cannot race."""
    return (
        ApiKey.objects.select_for_update()
        .select_related("application__organization")
        .get(pk=api_key.pk)
    )


@sensitive_variables("raw_key")
@transaction.atomic
def api_key_rotate(
    *, api_key: ApiKey, actor: Actor, now: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """Issue a replacement; the old key keeps working for the grace period, then expires."""
    now = now or timezone.now()
    old = _locked(api_key)
    if old.application.issued_by_zenoti:
        raise KeyStateError(ZENOTI_ISSUES_KEYS_MESSAGE)
    if old.revoked_at is not None:
        raise KeyStateError(ROTATE_REVOKED_MESSAGE)
    if old.replaced_by_id is not None:
        raise KeyStateError(ROTATE_TWICE_MESSAGE)
    organization = old.application.organization
    new_key, raw_key = api_key_generate(
        application=old.application, actor=actor, now=now, label=old.label
    )
    grace_end = now + dt.timedelta(days=organization.rotation_grace_days)
    old.expires_at = min(old.expires_at, grace_end)
    old.replaced_by = new_key
    old.save(update_fields=["expires_at", "replaced_by"])
    audit_record(
        actor=actor,
        action="api_key_rotate",
        organization=organization,
        target=old,
        details={"new_prefix": new_key.prefix, "old_expires_at": old.expires_at.isoformat()},
    )
    return new_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor, now: dt.datetime | None = None) -> ApiKey:
    """Revoke a key for good: it never authenticates again and cannot be restored.

    For a Zenoti-issued key this marks it revoked: Keyport stops exporting and checking it;
    it must be revoked in Zenoti too (the admin page says so).
    """
    key = _locked(api_key)
    if key.revoked_at is not None:
        raise KeyStateError(REVOKE_TWICE_MESSAGE)
    key.revoked_at = now or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_key_revoke",
        organization=key.application.organization,
        target=key,
        details={"issuer": key.application.issuer},
    )
    return key
