"""Exporting credentials: the audit row is committed before any byte leaves Keyport.

If the audit row cannot be written, the exception propagates and no file is produced
("no audit row, no file"). Refusals are audited too, one row per organization concerned,
so each organization's auditors see them. The hourly limit is counted and the export
recorded in one transaction that first locks the user's row, so concurrent requests
cannot each see "19 so far" and all pass (PostgreSQL; SQLite serializes writers anyway).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps_registry import selectors
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.export.dotenv import EnvValueError
from apps_registry.export.formats import FORMATS, ExportFile, bundle
from apps_registry.models import Organization
from apps_registry.plugins import EXPORT_SOURCES

EXPORT_ACTION = "export"
DENIED_ACTION = "export_denied"
UNKNOWN_FORMAT_MESSAGE = "Choose the .env or the JSON format."
NOTHING_CHOSEN_MESSAGE = "Choose at least one application or connection to export."


class ExportRateLimitedError(Exception):
    """The user reached the hourly export limit; the refusal is already audited."""


def _organizations_of(objects: Iterable[Any]) -> list[Organization]:
    by_pk = {obj.organization_id: obj.organization for obj in objects}
    return [by_pk[pk] for pk in sorted(by_pk)]


def _lock_user(actor: Actor) -> None:
    if actor.user is not None and actor.user.pk:
        get_user_model().objects.select_for_update().filter(pk=actor.user.pk).exists()


@sensitive_variables("items", "export_file")
def credentials_export(
    *,
    actor: Actor,
    selection: dict[str, list[Any]],
    fmt: str,
    now: dt.datetime | None = None,
    hourly_limit: int | None = None,
    as_zip: bool = False,
) -> ExportFile:
    """Render the chosen objects (``{"app": [...], "site": [...]}``) and audit the export.

    ``hourly_limit`` (the export page passes it) refuses, atomically, the export that would
    exceed that many in the past hour. A value no ``.env`` quoting carries raises
    ``EnvValueError`` (audited) before anything is recorded as exported.
    """
    if fmt not in FORMATS:
        raise ValueError(UNKNOWN_FORMAT_MESSAGE)
    objects = [obj for kind in sorted(selection) for obj in selection[kind]]
    if not objects:
        raise ValueError(NOTHING_CHOSEN_MESSAGE)
    now = now or timezone.now()
    organizations = _organizations_of(objects)
    items = [
        EXPORT_SOURCES[kind].to_item(obj) for kind in sorted(selection) for obj in selection[kind]
    ]
    try:
        export_file = bundle(items, fmt, exported_at=now, actor_label=actor.label, as_zip=as_zip)
    except EnvValueError as exc:
        credentials_export_refuse(
            actor=actor,
            reason="unexportable_value",
            organizations=organizations,
            details={"message": str(exc)},
        )
        raise
    limited = False
    with transaction.atomic():
        if hourly_limit is not None and actor.user is not None:
            _lock_user(actor)
            limited = selectors.exports_in_last_hour(actor.user, now) >= hourly_limit
        if limited:
            credentials_export_refuse(
                actor=actor, reason="rate_limited", organizations=organizations
            )
        else:
            audit_record(
                actor=actor,
                action=EXPORT_ACTION,
                organization=organizations[0] if len(organizations) == 1 else None,
                details={
                    "format": fmt,
                    "file": export_file.filename,
                    "items": [
                        {"type": i.kind, "id": i.pk, "name": i.name, "organization": i.organization}
                        for i in items
                    ],
                },
            )
    if limited:
        raise ExportRateLimitedError()
    return export_file


def credentials_export_refuse(
    *,
    actor: Actor,
    reason: str,
    organizations: Iterable[Organization] = (),
    details: dict[str, Any] | None = None,
) -> None:
    """Record a refused export (no permission, not found, malformed, wrong password, rate
    limit, a value no .env quoting carries): one row per organization concerned, so that
    organization's auditors see it, or one row without an organization."""
    targets: list[Organization | None] = list(organizations) or [None]
    with transaction.atomic():
        for organization in targets:
            audit_record(
                actor=actor,
                action=DENIED_ACTION,
                organization=organization,
                details={"reason": reason, **(details or {})},
            )
