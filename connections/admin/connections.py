"""The connection list, the add form and the change page with its token buttons.

Adding, editing and deleting go through services so each writes an audit row; the API key
and the staff token are never rendered, only their last four characters.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from apps_registry.actors import Actor
from apps_registry.admin.export_action import ExportPermissionMixin, make_export_action
from apps_registry.admin.history import KeyportHistoryMixin
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.fields import last_four
from connections import services
from connections.admin import display, views
from connections.admin.availability import available_actions
from connections.forms import ConnectionAddForm, ConnectionChangeForm
from connections.models import MindbodySiteConnection
from connections.services.connections import CONNECTION_UPDATABLE

SANDBOX_BADGE = "sandbox"
KEY_FIELDS = ["organization", "name", "site", "api_key_hint"]
TOKEN_FIELDS = [
    "status",
    "staff_username",
    "token_user",
    "token_hint",
    "token_expires_at",
    "token_renewals",
    "last_verified_at",
    "last_error",
]
NO_TOKEN_TEXT = "No token"  # noqa: S105 - a label
CHECK_PENDING = "_mindbody_check_pk"
CHANGE_URL = "connections_mindbodysiteconnection_change"
ADDED_MESSAGE = "Added the connection “{name}”; Keyport checked its API key and site ID:"


@admin.register(MindbodySiteConnection)
class MindbodySiteConnectionAdmin(
    KeyportHistoryMixin, ExportPermissionMixin, OrganizationScopedAdmin
):
    form = ConnectionChangeForm
    actions = [make_export_action("site", "Export credentials of the selected connections")]
    list_display = [
        "name",
        "organization",
        "site",
        "status",
        "token_expires_at",
        "token_renewals",
        "last_verified_at",
    ]
    list_filter = ["status", "organization"]
    search_fields = ["name", "staff_username"]
    list_select_related = ["organization"]
    change_form_template = "admin/connections/mindbodysiteconnection/change_form.html"

    class Media:
        css = {"all": ["apps_registry/admin.css"]}

    export_kind = "site"
    readonly_fields = [
        "organization",
        "site",
        "api_key_hint",
        *TOKEN_FIELDS,
        "site_check",
        "calls_today",
        "calls_30_days",
        "activation_code",
        "activation_link_display",
        "created_at",
        "created_by",
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        # Secrets load only on the change page (for their last four characters).
        return super().get_queryset(request).defer("api_key", "staff_user_token")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = ConnectionAddForm if obj is None else ConnectionChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["organization", "name", "site_id", "api_key"]})]
        return [
            (None, {"fields": [*KEY_FIELDS, "replace_api_key", "site_check"]}),
            ("Staff token", {"fields": TOKEN_FIELDS}),
            ("Calls to Mindbody with this API key", {"fields": ["calls_today", "calls_30_days"]}),
            ("Activation", {"fields": ["activation_code", "activation_link_display"]}),
            ("History", {"fields": ["created_at", "created_by"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    @admin.display(description="Site ID", ordering="site_id")
    def site(self, obj: MindbodySiteConnection) -> str:
        if obj.is_sandbox:
            return format_html(
                '{} <span class="mindbody-badge" style="background:#ffc;border:1px solid #cc9;'
                'border-radius:3px;padding:0 4px">{}</span>',
                obj.site_id,
                SANDBOX_BADGE,
            )
        return str(obj.site_id)

    @admin.display(description="API key")
    def api_key_hint(self, obj: MindbodySiteConnection) -> str:
        return last_four(obj.api_key)

    token_user = staticmethod(admin.display(description="Token user")(display.token_user))
    site_check = staticmethod(admin.display(description="Key and site")(display.site_check))
    calls_today = staticmethod(admin.display(description="Today (UTC)")(display.calls_today))
    calls_30_days = staticmethod(admin.display(description="Last 30 days")(display.calls_30_days))

    @admin.display(description="Staff token")
    def token_hint(self, obj: MindbodySiteConnection) -> str:
        return last_four(obj.staff_user_token) if obj.staff_user_token else NO_TOKEN_TEXT

    @admin.display(description="Activation link")
    def activation_link_display(self, obj: MindbodySiteConnection) -> str:
        if obj.activation_link.startswith("https://"):
            return format_html('<a href="{0}" rel="noopener">{0}</a>', obj.activation_link)
        return obj.activation_link or "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.from_request(request)
        data = form.cleaned_data
        if change:
            services.mindbody_connection_update(
                connection=obj,
                actor=actor,
                data={name: data[name] for name in CONNECTION_UPDATABLE if name in data},
                api_key=data.get("replace_api_key", ""),
            )
            if data.get("replace_api_key"):
                setattr(request, CHECK_PENDING, obj.pk)
            return
        created = services.mindbody_connection_create(
            organization=data["organization"],
            name=data["name"],
            site_id=data["site_id"],
            api_key=data["api_key"],
            actor=actor,
        )
        obj.pk = created.pk
        obj._state.adding = False
        setattr(request, CHECK_PENDING, obj.pk)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        # Stay on the new connection's page, where the key check's result is shown.
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, ADDED_MESSAGE.format(name=obj.name), messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:{CHANGE_URL}", args=[obj.pk]))

    def _check_new_key(self, request: HttpRequest) -> None:
        """After the admin's transaction committed: the tokenless check of a new key."""
        pk = getattr(request, CHECK_PENDING, None)
        if pk is None:
            return
        connection = MindbodySiteConnection.objects.get(pk=pk)
        result = services.mindbody_connection_check(
            connection=connection, actor=Actor.from_request(request)
        )
        if isinstance(result, services.ConnectionActionError):
            messages.error(request, str(result))
        else:
            messages.success(request, result.message)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.mindbody_connection_delete(connection=obj, actor=Actor.from_request(request))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for connection in queryset:
            self.delete_model(request, connection)

    @method_decorator(sensitive_post_parameters("api_key", "replace_api_key"))
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().add_view(request, form_url, extra_context)
        self._check_new_key(request)
        return response

    @method_decorator(sensitive_post_parameters("api_key", "replace_api_key"))
    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self._check_new_key(request)
        return response

    def render_change_form(
        self,
        request: HttpRequest,
        context: Any,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        """The page's buttons from the connection already loaded for the form (no 2nd read)."""
        context["connection_actions"] = available_actions(obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list[URLPattern]:
        return views.urls(self) + super().get_urls()
