"""URL map: the admin is the product; everything else hangs off it."""

from django.contrib import admin
from django.urls import path

from apps_registry.views.export import credentials_export_view

admin.site.site_header = "Keyport"
admin.site.site_title = "Keyport"
admin.site.index_title = "Applications, keys and connections"

urlpatterns = [
    path(
        "admin/export/",
        admin.site.admin_view(credentials_export_view),
        name="credentials_export",
    ),
    path("admin/", admin.site.urls),
]
