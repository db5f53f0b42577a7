"""URL map: the admin is the product; everything else hangs off it."""

from django.contrib import admin
from django.urls import path

from apps_registry.api.docs import api_docs_view
from apps_registry.api.verify import api
from apps_registry.views.export import credentials_export_view
from config.health import healthz, readyz
from config.two_factor import two_factor_view

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(
        "admin/export/",
        admin.site.admin_view(credentials_export_view),
        name="credentials_export",
    ),
    path("api/v1/docs", api_docs_view, name="api_docs"),
    path("api/v1/", api.urls),
    path("account/two-factor/", two_factor_view, name="two_factor"),
    path("admin/", admin.site.urls),
]
