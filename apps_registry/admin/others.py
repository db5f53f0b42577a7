"""Admin for organizations, the scope catalog and the read-only audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps_registry.actors import Actor
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.forms import OrganizationForm
from apps_registry.models import ApiScope, AuditEvent, Organization
from apps_registry.services.organizations import organization_create, organization_update

# Only a superuser names tenants and decides who belongs where (and sees the list of users).
SUPERUSER_ONLY_FIELDS = ["name", "slug", "members"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = ""
    form = OrganizationForm
    list_display = [
        "name",
        "slug",
        "api_key_lifetime_days",
        "rotation_grace_days",
        "alerts_enabled",
    ]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tenants are created by a superuser; operators manage their own.
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Settings are edited by Organization admins (change_organization); Operators and
        # Auditors get the read-only view Django shows without that permission.
        return [] if request.user.is_superuser else SUPERUSER_ONLY_FIELDS

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return super().get_prepopulated_fields(request, obj) if request.user.is_superuser else {}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.from_request(request)
        if change:
            organization_update(organization=obj, actor=actor)
        else:
            organization_create(organization=obj, actor=actor)


@admin.register(ApiScope)
class ApiScopeAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "label"]
    list_filter = ["group"]
    search_fields = ["code", "group", "label"]


@admin.register(AuditEvent)
class AuditEventAdmin(OrganizationScopedAdmin):
    """Append-only: nobody adds, changes or deletes audit events through the admin."""

    list_display = ["at", "actor_label", "action", "organization", "target_repr", "ip"]
    list_filter = ["action", "organization"]
    search_fields = ["actor_label", "action", "target_repr", "target_id"]
    list_select_related = ["organization"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
