"""Keyport's admin site: stock Django admin plus two-factor authentication when required.

With ``ADMIN_REQUIRE_2FA`` a password alone no longer opens the admin: the user is sent to
the two-factor page to enrol an authenticator app (first time) or enter a code. The
third-party apps' models (login lockouts, authenticator devices, periodic tasks) are shown to
superusers under one "System" section, and never to operators: they are not part of their day.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

SYSTEM_SECTION = "System"
SYSTEM_APP_LABELS = frozenset({"axes", "django_celery_beat", "otp_totp", "django_otp"})


def two_factor_required() -> bool:
    return bool(settings.ADMIN_REQUIRE_2FA)


class KeyportAdminSite(admin.AdminSite):
    site_header = "Keyport"
    site_title = "Keyport"
    index_title = "Applications, keys and connections"
    site_url = None  # there is no public site: hide "View site"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        """Keyport's own apps first, then one "System" section (superusers only)."""
        apps = super().get_app_list(request, app_label)
        own = [app for app in apps if app["app_label"] not in SYSTEM_APP_LABELS]
        system_models = [
            model
            for app in apps
            if app["app_label"] in SYSTEM_APP_LABELS
            for model in app["models"]
        ]
        if not system_models or not request.user.is_superuser:
            return own
        system = {
            "name": SYSTEM_SECTION,
            "app_label": "system",
            "app_url": "",
            "has_module_perms": True,
            "models": sorted(system_models, key=lambda model: model["name"]),
        }
        return [*own, system]

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not two_factor_required() or bool(request.user.is_verified())  # type: ignore[union-attr]

    def index(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        from apps_registry.dashboard import dashboard_context
        from apps_registry.selectors import organizations_for_user

        context = {
            **dashboard_context(request.user),
            "no_organization": not organizations_for_user(request.user).exists(),
            **(extra_context or {}),
        }
        return super().index(request, context)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        user = request.user
        if (
            request.method == "GET"
            and two_factor_required()
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()  # type: ignore[attr-defined]
        ):
            next_url = request.GET.get("next") or reverse("admin:index")
            return HttpResponseRedirect(f"{reverse('two_factor')}?{urlencode({'next': next_url})}")
        return super().login(request, extra_context)
