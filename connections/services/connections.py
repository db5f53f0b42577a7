"""Adding, renaming and deleting connections; the API key is checked before it is kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.fields import last_four
from apps_registry.models import Organization
from apps_registry.updates import model_update
from connections.call_tally import key_digest
from connections.models import ConnectionStatus, MindbodySiteConnection


@sensitive_variables("api_key")
@transaction.atomic
def mindbody_connection_create(
    *, organization: Organization, name: str, site_id: int, api_key: str, actor: Actor
) -> MindbodySiteConnection:
    """Keep a site's API key (encrypted) and ID; ``pending`` until checked (``checks``)."""
    connection = MindbodySiteConnection(
        organization=organization,
        name=name.strip(),
        site_id=site_id,
        api_key=api_key,
        api_key_digest=key_digest(api_key),
        created_by=actor.user,
    )
    connection.full_clean()
    connection.save()
    audit_record(
        actor=actor,
        action="mindbody_connection_create",
        organization=organization,
        target=connection,
        details={"site_id": site_id, "api_key_hint": last_four(api_key)},
    )
    return connection


CONNECTION_UPDATABLE = ("name",)
_KEY_FIELDS = (
    "api_key",
    "api_key_digest",
    "status",
    "last_error",
    "site_checked_at",
    "location_count",
)


@sensitive_variables("api_key")
@transaction.atomic
def mindbody_connection_update(
    *,
    connection: MindbodySiteConnection,
    actor: Actor,
    data: Mapping[str, Any],
    api_key: str = "",
) -> list[str]:
    """Apply ``data`` (a new ``name``) and, when given, a replacement API key, which needs
    re-verifying. The diff is taken against the stored row; returns and audits it."""
    fields = (*CONNECTION_UPDATABLE, *_KEY_FIELDS)
    connection.refresh_from_db(
        fields=fields, from_queryset=MindbodySiteConnection.objects.select_for_update()
    )
    wanted = dict(data)
    if api_key:
        wanted |= {
            "api_key": api_key,
            "api_key_digest": key_digest(api_key),
            "status": ConnectionStatus.PENDING,
            "last_error": "",
            "site_checked_at": None,  # the new key's check replaces the old one's
            "location_count": None,
        }
    changed = model_update(instance=connection, fields=fields, data=wanted)
    audited = [name for name in changed if name in CONNECTION_UPDATABLE]
    audit_record(
        actor=actor,
        action="mindbody_connection_update",
        organization=connection.organization,
        target=connection,
        details={"changed": sorted([*audited, *(["api_key_replaced"] if api_key else [])])},
    )
    return changed


@transaction.atomic
def mindbody_connection_delete(*, connection: MindbodySiteConnection, actor: Actor) -> None:
    """Forget a connection; the audit row keeps its name and site ID."""
    audit_record(
        actor=actor,
        action="mindbody_connection_delete",
        organization=connection.organization,
        target=connection,
        details={"site_id": connection.site_id},
    )
    connection.delete()
