"""Application admin: the Zenoti-style form, the key list, and the list page.

Creation goes through ``application_create`` / ``application_record`` so the admin never
writes an app by itself; the new secret is stashed for the show-once page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.admin import key_views, zenoti_views
from apps_registry.admin.application_create import create_from_form
from apps_registry.admin.application_parts import (
    ApiKeyInline,
    AuditedDeleteMixin,
    ExpiresWithinFilter,
    PostLoginRedirectInline,
    PostLogoutRedirectInline,
    redirect_rows,
)
from apps_registry.admin.export_action import ExportPermissionMixin, make_export_action
from apps_registry.admin.history import KeyportHistoryMixin
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.forms import ApplicationAddForm, ApplicationForm
from apps_registry.models import Application
from apps_registry.models.applications import APPLICATION_EDITABLE_FIELDS, CredentialOrigin
from apps_registry.models.keys import days_until
from apps_registry.selectors import applications_with_key_summary

RECORD_HELP = (
    "Fill these in only when you record credentials Zenoti issued (Configuration → Apps). "
    "Keyport then checks the key with Zenoti; it never generates or rotates Zenoti's keys."
)
HIDDEN_VALUE_TEXT = (
    "Hidden. It was shown once when the app was registered; export it if a deployment needs it."
)
RECORDED_VALUE_TEXT = "Hidden. It was recorded from Zenoti; export it if a deployment needs it."
ZENOTI_FIELDS = ["zenoti_account_name", "zenoti_api_base_url"]


@admin.register(Application)
class ApplicationAdmin(
    AuditedDeleteMixin,
    zenoti_views.IssuerLinksMixin,
    KeyportHistoryMixin,
    ExportPermissionMixin,
    OrganizationScopedAdmin,
):
    form = ApplicationForm
    add_form = ApplicationAddForm
    list_display = [
        "name",
        "organization",
        "issued_by",
        "source_app",
        "login_user_type",
        "auth_method",
        "active_keys",
        "next_expiry_display",
        "is_active",
    ]
    list_filter = [
        ExpiresWithinFilter,
        "organization",
        "source_app",
        "login_user_type",
        "credential_origin",
        "auth_method",
        "is_active",
    ]
    search_fields = ["name", "application_id", "uri", "description"]
    list_select_related = ["organization"]
    readonly_fields = [
        "application_id",
        "credential_origin",
        "secret_hint",
        "created_at",
        "created_by",
    ]
    inlines = [PostLoginRedirectInline, PostLogoutRedirectInline, ApiKeyInline]
    change_form_template = "admin/apps_registry/application/change_form.html"
    export_kind = "app"
    actions = [make_export_action("app", "Export credentials of the selected applications")]

    class Media:
        css = {"all": ["apps_registry/admin.css"]}
        js = ["apps_registry/application_form.js"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return applications_with_key_summary(super().get_queryset(request))

    def history_related(self, obj: Any) -> list[tuple[str, list[Any]]]:
        return [("apps_registry.ApiKey", list(obj.api_keys.values_list("pk", flat=True)))]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = ["organization", "name", "uri", "description", "login_user_type", "source_app"]
        scope = ["auth_method", "scopes"]
        contact = ["contact_emails", "is_active"]
        if obj is None:
            credentials = [
                "credential_mode",
                "recorded_application_id",
                "recorded_secret",
                "recorded_api_key",
                "recorded_api_key_expires_on",
                *ZENOTI_FIELDS,
            ]
            return [
                (None, {"fields": main}),
                ("Scope", {"fields": scope}),
                ("Contacts", {"fields": contact}),
                (
                    "Credentials",
                    {
                        "fields": credentials,
                        "description": RECORD_HELP,
                    },
                ),
            ]
        fieldsets = [
            (None, {"fields": ["application_id", "secret_hint", "credential_origin", *main]}),
            ("Scope", {"fields": scope}),
            ("Contacts", {"fields": [*contact, "created_at", "created_by"]}),
        ]
        if obj.issued_by_zenoti:
            fieldsets.insert(1, ("Zenoti", {"fields": ZENOTI_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [*self.readonly_fields, "organization"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        redirects = [PostLoginRedirectInline, PostLogoutRedirectInline]
        return redirects if obj is None else self.inlines

    @admin.display(description="Secret")
    def secret_hint(self, obj: Application) -> str:
        return RECORDED_VALUE_TEXT if obj.issued_by_zenoti else HIDDEN_VALUE_TEXT

    @admin.display(description="Issued by", ordering="credential_origin")
    def issued_by(self, obj: Application) -> str:
        return "Zenoti" if obj.issued_by_zenoti else "Keyport"

    @admin.display(description="Active keys", ordering="active_key_count")
    def active_keys(self, obj: Any) -> int:
        return int(obj.active_key_count)

    @admin.display(description="Next expiry", ordering="next_expiry")
    def next_expiry_display(self, obj: Any) -> str:
        if obj.next_expiry is None:
            return "—"
        days = days_until(obj.next_expiry, timezone.now())
        return f"{obj.next_expiry:%Y-%m-%d} ({days} days left)"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing here: the services write in ``save_related``, where the inlines are known."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            data = form.cleaned_data
            services.application_update(
                application=form.instance,
                actor=Actor.from_request(request),
                data={name: data[name] for name in APPLICATION_EDITABLE_FIELDS if name in data},
                scopes=list(data["scopes"]),
                redirect_urls=redirect_rows(formsets),
            )
        else:
            application = create_from_form(request, form, formsets)
            form.instance.pk = application.pk
            form.instance.application_id = application.application_id
            form.instance.credential_origin = application.credential_origin
            form.instance._state.adding = False
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        if obj.credential_origin == CredentialOrigin.GENERATED:
            return HttpResponseRedirect(
                reverse("admin:apps_registry_application_credentials", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)

    @method_decorator(sensitive_post_parameters("recorded_secret", "recorded_api_key"))
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return super().add_view(request, form_url, extra_context)

    def get_urls(self) -> list[URLPattern]:
        return zenoti_views.urls(self) + key_views.urls(self) + super().get_urls()
