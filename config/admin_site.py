"""Keyport's admin site: stock Django admin plus two-factor authentication when required.

With ``ADMIN_REQUIRE_2FA`` a password alone no longer opens the admin: the user is sent to
the two-factor page to enrol an authenticator app (first time) or enter a code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode


def two_factor_required() -> bool:
    return bool(getattr(settings, "ADMIN_REQUIRE_2FA", False))


class KeyportAdminSite(admin.AdminSite):
    site_header = "Keyport"
    site_title = "Keyport"
    index_title = "Applications, keys and connections"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not two_factor_required() or bool(request.user.is_verified())  # type: ignore[union-attr]

    def index(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        from apps_registry.dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request.user), **(extra_context or {})})

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
