"""The "Export credentials" list action, shared by apps and Mindbody connections.

The action only hands the selection to the export page, which checks the permission
again, asks for the password and writes the audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from apps_registry.roles import EXPORT_CODENAME, EXPORT_PERMISSION


class ExportPermissionMixin:
    """Lets actions declare ``permissions=[EXPORT_CODENAME]``; tells the change page too."""

    def has_export_credentials_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(EXPORT_PERMISSION))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        can_export = self.has_export_credentials_permission(request)
        context = {"can_export_credentials": can_export, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]


def make_export_action(kind: str, description: str) -> Callable[..., HttpResponse]:
    """An admin action redirecting to ``credentials_export`` with ``?<kind>=<pk>...``."""

    @admin.action(description=description, permissions=[EXPORT_CODENAME])
    def export_credentials(
        model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse:
        ids = "&".join(f"{kind}={pk}" for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('credentials_export')}?{ids}")

    return export_credentials
