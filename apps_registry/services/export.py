"""Exporting credentials: the audit row is committed before any byte leaves Keyport.

If the audit row cannot be written, the exception propagates and no file is produced
("no audit row, no file"). Refusals are audited too, one row each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.export.formats import FORMATS, ExportFile, bundle
from apps_registry.plugins import EXPORT_SOURCES

EXPORT_ACTION = "export"
DENIED_ACTION = "export_denied"
UNKNOWN_FORMAT_MESSAGE = "Choose the .env or the JSON format."
NOTHING_CHOSEN_MESSAGE = "Choose at least one application or connection to export."


def _organization_of(objects: list[Any]) -> Any:
    organizations = {obj.organization_id for obj in objects}
    return objects[0].organization if len(organizations) == 1 else None


@sensitive_variables("items", "export_file")
def credentials_export(
    *,
    actor: Actor,
    selection: dict[str, list[Any]],
    fmt: str,
    now: dt.datetime | None = None,
    as_zip: bool = False,
) -> ExportFile:
    """Render the chosen objects (``{"app": [...], "site": [...]}``) and audit the export."""
    if fmt not in FORMATS:
        raise ValueError(UNKNOWN_FORMAT_MESSAGE)
    objects = [obj for kind in sorted(selection) for obj in selection[kind]]
    if not objects:
        raise ValueError(NOTHING_CHOSEN_MESSAGE)
    now = now or timezone.now()
    items = [
        EXPORT_SOURCES[kind].to_item(obj) for kind in sorted(selection) for obj in selection[kind]
    ]
    export_file = bundle(items, fmt, exported_at=now, actor_label=actor.label, as_zip=as_zip)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=EXPORT_ACTION,
            organization=_organization_of(objects),
            details={
                "format": fmt,
                "file": export_file.filename,
                "items": [
                    {"type": i.kind, "id": i.pk, "name": i.name, "organization": i.organization}
                    for i in items
                ],
            },
        )
    return export_file


def credentials_export_refuse(
    *, actor: Actor, reason: str, details: dict[str, Any] | None = None
) -> None:
    """Record a refused export (no permission, not found, wrong password, rate limit)."""
    with transaction.atomic():
        audit_record(
            actor=actor, action=DENIED_ACTION, details={"reason": reason, **(details or {})}
        )
