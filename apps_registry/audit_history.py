"""Reads of the audit log about one object, for its History page.

An application's history is more than the rows that name it: its keys' rows (generated,
rotated, revoked) and the exports that contained it belong to it too. Exports name their items
in JSON details, which SQLite cannot search, so the organization's recent exports are read and
matched here; ``EXPORT_LOOKBACK`` bounds that read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from apps_registry.models import AuditEvent

EXPORT_ACTION = "export"
EXPORT_LOOKBACK = 500
HISTORY_LIMIT = 200


def _exported(event: AuditEvent, kind: str, pk: int) -> bool:
    items = event.details.get("items") if isinstance(event.details, dict) else None
    return any(
        isinstance(item, dict) and item.get("type") == kind and item.get("id") == pk
        for item in items or []
    )


def audit_events_about(
    obj: models.Model,
    *,
    export_kind: str,
    related: Iterable[tuple[str, Iterable[object]]] = (),
) -> list[AuditEvent]:
    """Newest first: rows targeting ``obj``, rows targeting ``related`` objects
    (``(model label, ids)`` pairs), and exports whose items include it."""
    about = Q(target_type=obj._meta.label, target_id=str(obj.pk))
    for label, ids in related:
        about |= Q(target_type=label, target_id__in=[str(pk) for pk in ids])
    events = list(AuditEvent.objects.filter(about).select_related("actor")[:HISTORY_LIMIT])
    organization_id = getattr(obj, "organization_id", None)
    exports = AuditEvent.objects.filter(
        Q(organization_id=organization_id) | Q(organization__isnull=True), action=EXPORT_ACTION
    )
    events += [
        event
        for event in exports.select_related("actor")[:EXPORT_LOOKBACK]
        if _exported(event, export_kind, int(str(obj.pk)))
    ]
    events.sort(key=lambda event: (event.at, event.pk), reverse=True)
    return events[:HISTORY_LIMIT]
