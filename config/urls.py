"""URL map: the admin is the product; everything else hangs off it.

``/`` goes to the admin (there is no public site) and ``/favicon.ico`` to Keyport's icon, so a
first visit never meets a 404.
"""

from typing import Any

from django.contrib import admin
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from apps_registry.api.docs import api_docs_view
from apps_registry.api.verify import api
from apps_registry.views.export import credentials_export_view
from config.health import healthz, readyz
from config.two_factor import two_factor_view


class FaviconRedirect(RedirectView):
    """Resolves the icon's static URL per request (the manifest exists only after collectstatic)."""

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("apps_registry/favicon.svg")


urlpatterns = [
    # First: the verification endpoint is the one URL called on every request of a gateway,
    # and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(
        "admin/export/",
        admin.site.admin_view(credentials_export_view),
        name="credentials_export",
    ),
    path("api/v1/docs", api_docs_view, name="api_docs"),
    path("account/two-factor/", two_factor_view, name="two_factor"),
    path("admin/", admin.site.urls),
]
