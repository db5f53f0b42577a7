"""Keys Zenoti issued, recorded in Keyport: the first key of an app, or Zenoti's replacement.

Zenoti rotates a key by issuing a new one and letting the old one expire in a week; Keyport
mirrors that when the operator pastes the new key: the replaced key's expiry becomes the
earlier of its own and now + the organization's grace days, and alerts follow the new key.
The key is stored whatever Zenoti says of it; the live check right after records the verdict.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import ApiKey, Application
from apps_registry.services.keys import KeyStateError, store_key
from apps_registry.services.zenoti_checks import zenoti_key_check

RECORD_NOT_ZENOTI_MESSAGE = (
    "Keyport issues this app's keys: generate or rotate them here instead of recording one."
)
RECORD_EMPTY_MESSAGE = "Paste the API key Zenoti issued."
RECORD_EXPIRY_PAST_MESSAGE = "The key's expiry must be in the future."
RECORD_DUPLICATE_MESSAGE = "This key is already recorded in Keyport."
REPLACE_OTHER_APP_MESSAGE = "The key to replace belongs to another application."
REPLACE_REVOKED_MESSAGE = "A revoked key cannot be replaced; record a new key instead."
REPLACE_TWICE_MESSAGE = "This key was already replaced; record a replacement for its successor."


def _validate(raw_key: str, expires_at: dt.datetime, now: dt.datetime) -> None:
    if not raw_key:
        raise ValidationError(RECORD_EMPTY_MESSAGE, code="empty")
    if expires_at <= now:
        raise ValidationError(RECORD_EXPIRY_PAST_MESSAGE, code="expiry_in_past")
    if ApiKey.objects.filter(key_digest=credentials.key_digest(raw_key)).exists():
        raise ValidationError(RECORD_DUPLICATE_MESSAGE, code="duplicate")


def _retire(replaces: ApiKey, application: Application, now: dt.datetime) -> ApiKey:
    old = ApiKey.objects.select_for_update().defer("key").get(pk=replaces.pk)
    if old.application_id != application.pk:
        raise KeyStateError(REPLACE_OTHER_APP_MESSAGE)
    if old.revoked_at is not None:
        raise KeyStateError(REPLACE_REVOKED_MESSAGE)
    if old.replaced_by_id is not None:
        raise KeyStateError(REPLACE_TWICE_MESSAGE)
    return old


@sensitive_variables("raw_key")
@transaction.atomic
def api_key_store_recorded(
    *,
    application: Application,
    raw_key: str,
    expires_at: dt.datetime,
    actor: Actor,
    replaces: ApiKey | None = None,
    now: dt.datetime | None = None,
) -> ApiKey:
    """The write half of ``api_key_record`` (no call to Zenoti): validated, atomic, audited."""
    now = now or timezone.now()
    raw_key = raw_key.strip()
    if not application.issued_by_zenoti:
        raise KeyStateError(RECORD_NOT_ZENOTI_MESSAGE)
    old = _retire(replaces, application, now) if replaces is not None else None
    _validate(raw_key, expires_at, now)
    key = store_key(
        application=application,
        prefix=credentials.new_key_prefix(credentials.RECORDED_PREFIX_MARK),
        raw_key=raw_key,
        expires_at=expires_at,
        actor=actor,
    )
    details: dict[str, object] = {
        "application_id": application.application_id,
        "expires_at": key.expires_at.isoformat(),
        "issuer": application.issuer,
    }
    if old is not None:
        grace_end = now + dt.timedelta(days=application.organization.rotation_grace_days)
        old.expires_at = min(old.expires_at, grace_end)
        old.replaced_by = key
        old.full_clean(exclude=["key"], validate_unique=False, validate_constraints=False)
        old.save(update_fields=["expires_at", "replaced_by"])
        details |= {"replaces": old.prefix, "old_expires_at": old.expires_at.isoformat()}
    audit_record(
        actor=actor,
        action="api_key_record_replacement" if old else "api_key_record",
        organization=application.organization,
        target=key,
        details=details,
    )
    return key


@sensitive_variables("raw_key")
def api_key_record(
    *,
    application: Application,
    raw_key: str,
    expires_at: dt.datetime,
    actor: Actor,
    replaces: ApiKey | None = None,
) -> ApiKey:
    """Record a key Zenoti issued (optionally replacing one), then check it with Zenoti.

    The key is kept either way; a refusal marks it failing with Zenoti's own message.
    """
    key = api_key_store_recorded(
        application=application,
        raw_key=raw_key,
        expires_at=expires_at,
        actor=actor,
        replaces=replaces,
    )
    zenoti_key_check(api_key=key, actor=actor)
    key.refresh_from_db()
    return key
