"""Admin for organizations, the scope catalog and the read-only audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join

from apps_registry.actors import Actor
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.admin.test_alert import send_test_alert_view
from apps_registry.audit_display import action_label, detail_rows, detail_summary, target_url
from apps_registry.forms import OrganizationForm
from apps_registry.models import ApiScope, AuditEvent, Organization
from apps_registry.services.organizations import (
    SETTINGS_FIELDS,
    organization_create,
    organization_update,
)

# Only a superuser names tenants and decides who belongs where (and sees the list of users).
SUPERUSER_ONLY_FIELDS = ["name", "slug", "members"]
# What Operators, exporters and Auditors see: the settings in words, not as JSON.
READ_ONLY_FIELDS = [
    *SUPERUSER_ONLY_FIELDS,
    "api_key_lifetime_days",
    "rotation_grace_days",
    "lead_times",
    "recipients",
    "alerts_enabled",
]


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

    def get_urls(self) -> list[URLPattern]:
        def test_alert(request: HttpRequest, object_id: str) -> HttpResponse:
            return send_test_alert_view(self, request, object_id)

        view = self.admin_site.admin_view(test_alert)
        name = "apps_registry_organization_test_alert"
        return [path("<path:object_id>/send-test-alert/", view, name=name), *super().get_urls()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tenants are created by a superuser; operators manage their own.
        return bool(request.user.is_superuser)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not self.has_change_permission(request, obj):
            return READ_ONLY_FIELDS
        return ["name", "slug", "members", *SETTINGS_FIELDS[2:]]  # name, slug, then members

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Settings are edited by Organization admins (change_organization); Operators,
        # exporters and Auditors see them read-only.
        if obj is not None and not self.has_change_permission(request, obj):
            return READ_ONLY_FIELDS
        return [] if request.user.is_superuser else SUPERUSER_ONLY_FIELDS

    @admin.display(description="Alert lead times (days)")
    def lead_times(self, obj: Organization) -> str:
        return ", ".join(str(days) for days in obj.expiry_alert_days or [])

    @admin.display(description="Alert recipients")
    def recipients(self, obj: Organization) -> str:
        return ", ".join(obj.alert_recipients or []) or "—"

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return super().get_prepopulated_fields(request, obj) if request.user.is_superuser else {}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.from_request(request)
        if change:
            data = {f: form.cleaned_data[f] for f in SETTINGS_FIELDS if f in form.cleaned_data}
            organization_update(organization=obj, actor=actor, data=data)
        else:
            organization_create(organization=obj, actor=actor)


@admin.register(ApiScope)
class ApiScopeAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "label"]
    list_filter = ["group"]
    search_fields = ["code", "group", "label"]


class ActionFilter(admin.SimpleListFilter):
    """Actions by their plain names, only those in the user's own organizations' rows."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        rows = model_admin.get_queryset(request).order_by()
        codes = rows.values_list("action", flat=True).distinct()
        return sorted(((code, action_label(code)) for code in set(codes)), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(OrganizationScopedAdmin):
    """Append-only: nobody adds, changes or deletes audit events through the admin."""

    list_display = ["at", "who", "what", "organization", "target", "summary", "ip"]
    list_filter = [ActionFilter, "organization"]
    search_fields = ["actor_label", "action", "target_repr", "target_id"]
    list_select_related = ["organization"]
    date_hierarchy = "at"
    fields = ("at", "actor_label", "what", "organization", "target", "details_table", "ip")
    readonly_fields = fields

    @admin.display(description="Who", ordering="actor_label")
    def who(self, event: AuditEvent) -> str:
        return event.actor_label

    @admin.display(description="Action", ordering="action")
    def what(self, event: AuditEvent) -> str:
        return action_label(event.action)

    @admin.display(description="Target")
    def target(self, event: AuditEvent) -> str:
        url = target_url(event)
        if url and event.target_repr:
            return format_html('<a href="{}">{}</a>', url, event.target_repr)
        return event.target_repr or "—"

    @admin.display(description="Details")
    def summary(self, event: AuditEvent) -> str:
        return detail_summary(event.details)

    @admin.display(description="Details")
    def details_table(self, event: AuditEvent) -> str:
        rows = format_html_join("", "<dt>{}</dt><dd>{}</dd>", detail_rows(event.details))
        return format_html('<dl class="keyport-details">{}</dl>', rows) if rows else "—"

    class Media:
        css = {"all": ["apps_registry/admin.css"]}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
