"""The API keys list: every key of the user's organizations with its last use, read-only.

The question it answers is "which keys are still in use?": last use comes from the
verification API, and the filter finds keys nothing has presented for 30 days. Actions on
a key stay on its application's page (Rotate, Revoke), so this list never writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from apps_registry.admin.last_use import last_use_short
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.models import ApiKey

UNUSED_DAYS = 30


class LastUsedFilter(admin.SimpleListFilter):
    title = "last use"
    parameter_name = "used"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("recent", f"Used in the last {UNUSED_DAYS} days"),
            ("unused30", f"Not used in {UNUSED_DAYS} days"),
            ("never", "Never used"),
        ]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        since = timezone.now() - dt.timedelta(days=UNUSED_DAYS)
        if self.value() == "recent":
            return queryset.filter(last_used_at__gte=since)
        if self.value() == "unused30":
            return queryset.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=since))
        if self.value() == "never":
            return queryset.filter(last_used_at__isnull=True)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    organization_path = "application__organization"
    list_display = [
        "prefix",
        "application_link",
        "organization",
        "status_label",
        "expires_at",
        "last_used",
        "seen_by",
    ]
    list_filter = [LastUsedFilter, ("application__organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["prefix", "application__name"]
    list_select_related = ["application__organization", "last_verified_by"]
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).defer("key", "application__secret")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Application", ordering="application__name")
    def application_link(self, key: ApiKey) -> str:
        url = reverse("admin:apps_registry_application_change", args=[key.application_id])
        return format_html('<a href="{}">{}</a>', url, key.application.name)

    @admin.display(description="Organization", ordering="application__organization__name")
    def organization(self, key: ApiKey) -> str:
        return str(key.application.organization)

    @admin.display(description="Status")
    def status_label(self, key: ApiKey) -> str:
        return key.status().label

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used(self, key: ApiKey) -> str:
        return last_use_short(key.last_used_at)

    @admin.display(description="Seen by", ordering="last_verified_by__name")
    def seen_by(self, key: ApiKey) -> str:
        """The verifier token that last presented the key."""
        return key.last_verified_by.name if key.last_verified_by else "—"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["prefix", "application", "expires_at", "revoked_at", "last_used_at", "created_at"]
