"""The "History" page of an application or a Mindbody connection: Keyport's own audit rows.

Django's stock history lists only what was typed into admin forms; Keyport's audit log also
holds what services did (keys rotated, tokens renewed, exports). Anyone who may view the object
sees its history here, in plain words; the full audit log stays with those who may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from apps_registry.audit_display import action_label, detail_rows, target_url
from apps_registry.audit_history import audit_events_about
from apps_registry.models import AuditEvent


@dataclass(frozen=True)
class HistoryRow:
    event: AuditEvent
    action: str
    target_url: str | None
    details: list[tuple[str, str]]


def history_rows(events: list[AuditEvent]) -> list[HistoryRow]:
    return [
        HistoryRow(event, action_label(event.action), target_url(event), detail_rows(event.details))
        for event in events
    ]


class KeyportHistoryMixin:
    """Replaces ``history_view`` of an organization-scoped admin (another tenant's: 404)."""

    export_kind = ""
    history_template = "admin/keyport_history.html"

    def history_related(self, obj: Any) -> list[tuple[str, list[Any]]]:
        """Other objects whose rows belong to this one's history (``(label, ids)`` pairs)."""
        return []

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        admin: Any = self
        obj = admin.get_scoped_object_or_404(request, unquote(object_id))
        if not admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = audit_events_about(
            obj, export_kind=self.export_kind, related=self.history_related(obj)
        )
        opts = obj._meta
        context = {
            **admin.admin_site.each_context(request),
            "title": f"History of {obj}",
            "subtitle": None,
            "opts": opts,
            "object": obj,
            "change_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
            ),
            "rows": history_rows(events),
            "audit_log_url": reverse("admin:apps_registry_auditevent_changelist")
            if request.user.has_perm("apps_registry.view_auditevent")
            else None,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.history_template, context)
