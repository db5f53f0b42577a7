"""How a Mindbody connection becomes an export item (the ``site`` export source).

Variable names are part of Keyport's interface (documented in the README).
"""

from __future__ import annotations

from django.db.models import QuerySet

from apps_registry.plugins import ExportItem, ExportSource
from connections.models import MindbodySiteConnection


def _connections() -> QuerySet[MindbodySiteConnection]:
    return MindbodySiteConnection.objects.all()


def _prepare(queryset: QuerySet[MindbodySiteConnection]) -> QuerySet[MindbodySiteConnection]:
    return queryset.select_related("organization")


def connection_item(connection: MindbodySiteConnection) -> ExportItem:
    """Site ID, API key, staff token and its expiry (empty when no token was issued)."""
    expires = connection.token_expires_at.isoformat() if connection.token_expires_at else ""
    env = [
        ("MINDBODY_CONNECTION_NAME", connection.name),
        ("MINDBODY_SITE_ID", str(connection.site_id)),
        ("MINDBODY_API_KEY", connection.api_key),
        ("MINDBODY_STAFF_TOKEN", connection.staff_user_token),
        ("MINDBODY_STAFF_TOKEN_EXPIRES_AT", expires),
    ]
    data: dict[str, object] = {
        "type": "mindbody_site",
        "name": connection.name,
        "organization": connection.organization.name,
        "site_id": connection.site_id,
        "api_key": connection.api_key,
        "staff_user_token": connection.staff_user_token,
        "staff_token_expires_at": expires or None,
        "status": connection.status,
    }
    return ExportItem(
        kind="site",
        pk=connection.pk,
        name=connection.name,
        organization=connection.organization.name,
        env=env,
        data=data,
    )


CONNECTION_SOURCE = ExportSource(
    kind="site",
    label="Mindbody connections",
    queryset=_connections,
    organization_path="organization",
    to_item=connection_item,
    prepare=_prepare,
)
