"""Adding, renaming and deleting connections; the API key is checked before it is kept."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import Organization
from connections.models import ConnectionStatus, MindbodySiteConnection, last_four


@sensitive_variables("api_key")
@transaction.atomic
def mindbody_connection_create(
    *, organization: Organization, name: str, site_id: int, api_key: str, actor: Actor
) -> MindbodySiteConnection:
    """Keep a site's API key (encrypted) and ID; the connection is ``pending`` until verified."""
    connection = MindbodySiteConnection(
        organization=organization,
        name=name.strip(),
        site_id=site_id,
        api_key=api_key,
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


@sensitive_variables("api_key")
@transaction.atomic
def mindbody_connection_update(
    *,
    connection: MindbodySiteConnection,
    actor: Actor,
    changed: Sequence[str],
    api_key: str = "",
) -> MindbodySiteConnection:
    """Save a new name and, when given, a replacement API key (which needs re-verifying)."""
    fields = ["name"]
    if api_key:
        connection.api_key = api_key
        connection.status = ConnectionStatus.PENDING
        connection.last_error = ""
        fields += ["api_key", "status", "last_error"]
    connection.full_clean()
    connection.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action="mindbody_connection_update",
        organization=connection.organization,
        target=connection,
        details={"changed": sorted({*changed, *(["api_key_replaced"] if api_key else [])})},
    )
    return connection


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
