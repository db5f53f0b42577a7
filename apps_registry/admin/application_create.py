"""Creating an app from the admin add form: generated here, or recorded from Zenoti.

The services do the writing; a generated app's new secret is stashed for the show-once
page, a recorded app's key is checked live with Zenoti by ``application_record``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from apps_registry import services, show_once
from apps_registry.actors import Actor
from apps_registry.admin.application_parts import redirect_rows
from apps_registry.forms import RECORD
from apps_registry.models import Application


@sensitive_variables("data")
def create_from_form(request: HttpRequest, form: Any, formsets: Any) -> Application:
    data = form.cleaned_data
    common: dict[str, Any] = {
        "organization": data["organization"],
        "name": data["name"],
        "uri": data["uri"],
        "description": data.get("description", ""),
        "login_user_type": data["login_user_type"],
        "source_app": data["source_app"],
        "auth_method": data["auth_method"],
        "scopes": list(data["scopes"]),
        "contact_emails": data.get("contact_emails", []),
        "redirect_urls": redirect_rows(formsets),
        "actor": Actor.from_request(request),
    }
    if data["credential_mode"] == RECORD:
        return services.application_record(
            **common,
            application_id=data["recorded_application_id"],
            secret=data["recorded_secret"],
            zenoti_account_name=data.get("zenoti_account_name", ""),
            zenoti_api_base_url=data.get("zenoti_api_base_url", ""),
            api_key=data.get("recorded_api_key", ""),
            api_key_expires_at=form.recorded_key_expiry(),
        )
    application, secret = services.application_create(**common)
    show_once.stash(
        request,
        target=f"app:{application.pk}",
        values=[
            show_once.ShownValue("Application ID", application.application_id, secret=False),
            show_once.ShownValue("Secret", secret, secret=True),
        ],
    )
    return application
