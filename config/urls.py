"""URL map: the admin is the product; everything else hangs off it."""

from django.contrib import admin
from django.urls import path

admin.site.site_header = "Keyport"
admin.site.site_title = "Keyport"
admin.site.index_title = "Applications, keys and connections"

urlpatterns = [
    path("admin/", admin.site.urls),
]
