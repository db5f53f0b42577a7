"""API keys across applications: one list of every key the user may see.

The operator's daily questions are about keys, not apps: which expire this month, which are
still in their rotation grace, which nobody used for a month and can go. This list answers
them with filters, bulk revocation behind one confirmation, and a CSV of what is shown (never a
secret: the list reads no encrypted column).
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps_registry.actors import Actor
from apps_registry.admin.application_parts import key_action_links
from apps_registry.admin.key_filters import (
    ExpiryWindowFilter,
    IssuerFilter,
    KeyOrganizationFilter,
    KeyStatusFilter,
    UsageFilter,
    ZenotiCheckFilter,
)
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.models import ApiKey
from apps_registry.models.applications import CredentialOrigin
from apps_registry.services import api_key_revoke

CSV_COLUMNS = ["application", "organization", "issuer", "prefix", "label", "last_four",
               "status", "expires_at", "days_left", "last_used_at", "zenoti_check",
               "zenoti_checked_at"]  # fmt: skip
REVOKED_MESSAGE = "Revoked {count} key(s). They never authenticate again."
ZENOTI_REVOKE_NOTE = (
    "Keys issued by Zenoti are only marked as revoked here (Keyport stops exporting them): "
    "revoke them in Zenoti too."
)


def issuer_label(key: ApiKey) -> str:
    return CredentialOrigin(key.application.credential_origin).label


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    organization_path = "application__organization"
    list_display = ["key_name", "application_link", "issuer", "status_label", "expires",
                    "days_left", "last_used", "key_actions"]  # fmt: skip
    list_display_links = None
    list_filter = [KeyStatusFilter, IssuerFilter, ZenotiCheckFilter, ExpiryWindowFilter,
                   UsageFilter, KeyOrganizationFilter]  # fmt: skip
    search_fields = ["prefix", "label", "last_four", "application__name"]
    search_help_text = "Search by prefix, label, the last four characters or the application."
    ordering = ["expires_at"]
    actions = ["revoke_selected"]
    change_list_template = "admin/apps_registry/apikey/change_list.html"
    list_per_page = 50

    class Media:
        css = {"all": ["apps_registry/admin.css"]}

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ApiKey]:
        keys = super().get_queryset(request).defer("key").select_related("application")
        return keys.select_related("application__organization").defer("application__secret")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revocation, never deletion: the audit trail keeps pointing at the key

    def get_urls(self) -> list[URLPattern]:
        csv_view = self.admin_site.admin_view(self.csv_view)
        return [path("csv/", csv_view, name="apps_registry_apikey_csv"), *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kw: Any) -> Any:
        key = self.get_scoped_object_or_404(request, object_id)
        return HttpResponseRedirect(
            reverse("admin:apps_registry_application_change", args=[key.application_id])
        )

    @admin.display(description="Key", ordering="prefix")
    def key_name(self, key: ApiKey) -> str:
        """Prefix, label, and for a Zenoti key the last four (what Zenoti's screen shows)."""
        hint = f"…{key.last_four}" if key.last_four and key.application.issued_by_zenoti else ""
        return format_html(
            "<code>{}</code>{}{}",
            key.prefix,
            format_html(' <span class="quiet">{}</span>', hint) if hint else "",
            format_html("<br>{}", key.label) if key.label else "",
        )

    @admin.display(description="Application", ordering="application__name")
    def application_link(self, key: ApiKey) -> str:
        url = reverse("admin:apps_registry_application_change", args=[key.application_id])
        return format_html('<a href="{}">{}</a>', url, key.application.name)

    @admin.display(description="Issuer", ordering="application__credential_origin")
    def issuer(self, key: ApiKey) -> str:
        return issuer_label(key).removeprefix("Issued by ")

    @admin.display(description="Expires", ordering="expires_at")
    def expires(self, key: ApiKey) -> str:
        at = key.expires_at
        return format_html('<span title="{} UTC">{}</span>', f"{at:%H:%M}", f"{at:%Y-%m-%d}")

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used(self, key: ApiKey) -> str:
        return f"{key.last_used_at:%Y-%m-%d}" if key.last_used_at else "never"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        return super().changelist_view(request, {"title": "API keys", **(extra_context or {})})

    @admin.display(description="Status")
    def status_label(self, key: ApiKey) -> str:
        """The status, and for a Zenoti key the result of its last live check."""
        if not key.zenoti_checked_at:
            return key.status().label
        return format_html(
            '{}<br><span class="quiet">{}, {}</span>',
            key.status().label,
            key.get_zenoti_result_display(),
            f"{key.zenoti_checked_at:%Y-%m-%d}",
        )

    @admin.display(description="Days left", ordering="expires_at")
    def days_left(self, key: ApiKey) -> int | str:
        days = key.days_left()
        return "—" if days is None else days

    @admin.display(description="")
    def key_actions(self, key: ApiKey) -> str:
        return key_action_links(key)

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        if request.POST.get("confirm") == "yes":
            actor = Actor.from_request(request)
            for key in keys:
                api_key_revoke(api_key=key, actor=actor)
            self.message_user(request, REVOKED_MESSAGE.format(count=len(keys)), messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke these keys?",
            "opts": self.opts,
            "keys": keys,
            "any_zenoti": any(
                k.application.credential_origin == CredentialOrigin.RECORDED for k in keys
            ),
            "zenoti_note": ZENOTI_REVOKE_NOTE,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/apps_registry/apikey/revoke_selected.html", context)

    def csv_view(self, request: HttpRequest) -> HttpResponse:
        """The keys the list shows with its current filters and search, as CSV."""
        if not self.has_view_or_change_permission(request):
            return HttpResponse(status=403)
        keys = self.get_changelist_instance(request).get_queryset(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="keyport-api-keys.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for key in keys:
            days = key.days_left()
            checked = key.zenoti_checked_at
            writer.writerow([key.application.name, key.application.organization.name,
                             issuer_label(key), key.prefix, key.label, key.last_four,
                             key.status().label, key.expires_at.isoformat(),
                             "" if days is None else days,
                             key.last_used_at.isoformat() if key.last_used_at else "",
                             key.get_zenoti_result_display() if checked else "",
                             checked.isoformat() if checked else ""])  # fmt: skip
        return response
