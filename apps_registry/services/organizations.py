"""Writes for organizations and deletions of applications: atomic, validated, audited.

An organization's settings decide how long keys live and who hears about their expiry, so
every change is audited with its before and after values (none of them is a secret), and
so is every deletion of an application together with its keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import Application, Organization
from apps_registry.updates import model_update

SETTINGS_FIELDS = (
    "name",
    "slug",
    "api_key_lifetime_days",
    "rotation_grace_days",
    "expiry_alert_days",
    "alert_recipients",
    "alerts_enabled",
)


def _settings(organization: Organization) -> dict[str, Any]:
    return {field: getattr(organization, field) for field in SETTINGS_FIELDS}


@transaction.atomic
def organization_create(*, organization: Organization, actor: Actor) -> Organization:
    """Save a new tenant (superusers only, in the admin) and audit its settings."""
    organization.full_clean()
    organization.save()
    audit_record(
        actor=actor,
        action="organization_create",
        organization=organization,
        target=organization,
        details={"settings": _settings(organization)},
    )
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, actor: Actor, data: Mapping[str, Any]
) -> list[str]:
    """Change settings (``data``: the fields of ``SETTINGS_FIELDS`` the caller may change);
    the audit row holds ``{field: {"before", "after"}}`` of what the model says changed."""
    stored = Organization.objects.select_for_update().get(pk=organization.pk)
    before = _settings(stored)
    changed = model_update(instance=stored, fields=SETTINGS_FIELDS, data=data)
    if changed:
        audit_record(
            actor=actor,
            action="organization_update",
            organization=stored,
            target=stored,
            details={
                "changes": {
                    field: {"before": before[field], "after": getattr(stored, field)}
                    for field in changed
                }
            },
        )
    return changed


@transaction.atomic
def application_delete(*, application: Application, actor: Actor) -> None:
    """Delete an app and its keys; the audit row keeps what was deleted (never a secret)."""
    keys = list(application.api_keys.order_by("created_at").values_list("prefix", flat=True))
    audit_record(
        actor=actor,
        action="application_delete",
        organization=application.organization,
        target=application,
        details={
            "name": application.name,
            "application_id": application.application_id,
            "credential_origin": application.credential_origin,
            "key_prefixes": keys,
        },
    )
    application.delete()
