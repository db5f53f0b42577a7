"""Interactive API docs (Swagger UI from django-ninja's own static files) for staff only.

The OpenAPI document itself stays public: it names no secret and gateways generate clients
from it. The docs page needs a logged-in staff user, like the rest of the admin.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from ninja.openapi.docs import Swagger

from apps_registry.api.verify import api


@staff_member_required
def api_docs_view(request: HttpRequest) -> HttpResponse:
    """Swagger UI over ``/api/v1/openapi.json``."""
    return Swagger().render_page(request, api)
