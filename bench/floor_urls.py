"""Keyport's URLs plus a stock ``ModelAdmin`` of ``Application`` at ``/floor/``: the floor.

The floor is what Django's admin costs on the same table with no Keyport code in the
way (no annotations, filters, scoping or actions), so the list page bench can report how
much Keyport adds. It lives here, never in product code.
"""

from typing import Any

from django.contrib import admin
from django.urls import path

from apps_registry.models import Application
from config.urls import urlpatterns as keyport_urlpatterns

FLOOR_LIST_URL = "/floor/apps_registry/application/"

floor_site = admin.AdminSite(name="floor")


class FloorApplicationAdmin(admin.ModelAdmin):
    """Plain columns comparable to Keyport's list (minus the two key-summary columns)."""

    list_display = [
        "name",
        "organization",
        "source_app",
        "login_user_type",
        "auth_method",
        "is_active",
    ]


floor_site.register(Application, FloorApplicationAdmin)

urlpatterns: list[Any] = [
    path("floor/", floor_site.urls),
    *keyport_urlpatterns,
]
