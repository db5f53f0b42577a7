"""Writing audit rows. Details are checked so a secret can never be logged by mistake."""

from __future__ import annotations

from typing import Any

from django.db import models

from apps_registry.actors import Actor
from apps_registry.models import AuditEvent, Organization

FORBIDDEN_DETAIL_KEYS = frozenset(
    {"secret", "key", "api_key", "password", "token", "staff_user_token", "raw_key"}
)


def audit_record(
    *,
    actor: Actor,
    action: str,
    organization: Organization | None = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row; refuses detail keys that name a secret."""
    details = details or {}
    leaked = FORBIDDEN_DETAIL_KEYS.intersection(details)
    if leaked:
        raise ValueError(f"Audit details must not carry secrets: {sorted(leaked)}")
    user = actor.user
    return AuditEvent.objects.create(
        actor=user if user is not None and user.pk else None,
        actor_label=actor.label,
        action=action,
        organization=organization,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        ip=actor.ip,
        details=details,
    )
