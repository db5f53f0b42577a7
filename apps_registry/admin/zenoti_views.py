"""Admin pages for Zenoti-issued keys: Record key, Record replacement key, Check with Zenoti.

Zenoti mints and rotates these keys, so the pages record what Zenoti issued and ask Zenoti
whether it still accepts them; each writes through a service and needs change permission.
The pasted key is never rendered back (password field, no show-once page: it was recorded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.admin.key_views import _application_for_change, _change_url
from apps_registry.alerts.message import ROTATE_IN_ZENOTI
from apps_registry.models import ApiKey, Application
from apps_registry.services import KeyStateError
from apps_registry.services.recorded_keys import RECORD_NOT_ZENOTI_MESSAGE
from apps_registry.zenoti_forms import RecordKeyForm

RECORD_TEXT = "Paste the API key Zenoti issued for this app and the day it expires."
REPLACEMENT_TEXT = (
    ROTATE_IN_ZENOTI + ". The key it replaces keeps working until the earlier of its own expiry "
    "and {grace} days from now (Zenoti lets the old key live one more week), then expires."
)
CHECK_TEXT = (
    "Keyport asks Zenoti (GET /v1/centers) whether it still accepts each usable key of this "
    "app, and records the answer on the key."
)
NO_KEYS_TO_CHECK = "This app has no usable key to check; record the key Zenoti issued."
RECORDED_PASSED = "Key {prefix} is recorded. {text}"
RECORDED_FAILED = "Key {prefix} is recorded, but the check failed: {text}"


def _zenoti_application(model_admin: Any, request: HttpRequest, object_id: str) -> Application:
    application = _application_for_change(model_admin, request, object_id)
    if not application.issued_by_zenoti:
        raise Http404(RECORD_NOT_ZENOTI_MESSAGE)
    return application


def _page(model_admin: Any, request: HttpRequest, application: Application, **extra: Any) -> Any:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "application": application,
        "change_url": _change_url(application),
        **extra,
    }


@sensitive_variables("form")
def record_key_view(
    model_admin: Any, request: HttpRequest, object_id: str, key_id: int | None = None
) -> HttpResponse:
    """Record a first key (no ``key_id``) or Zenoti's replacement for key ``key_id``."""
    application = _zenoti_application(model_admin, request, object_id)
    replaces = None
    if key_id is not None:
        replaces = ApiKey.objects.filter(application=application, pk=key_id).defer("key").first()
        if replaces is None:
            raise Http404("No such key for this application.")
    form = RecordKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = services.api_key_record(
                application=application,
                raw_key=form.cleaned_data["api_key"],
                expires_at=form.expires_at(),
                actor=Actor.from_request(request),
                replaces=replaces,
            )
        except KeyStateError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_change_url(application))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            passed = key.zenoti_result == "passed"
            text = (RECORDED_PASSED if passed else RECORDED_FAILED).format(
                prefix=key.prefix, text=key.zenoti_message
            )
            (messages.success if passed else messages.warning)(request, text)
            return HttpResponseRedirect(_change_url(application))
    grace = application.organization.rotation_grace_days
    title = "Record replacement key" if replaces else "Record key"
    explanation = REPLACEMENT_TEXT.format(grace=grace) if replaces else RECORD_TEXT
    context = _page(
        model_admin,
        request,
        application,
        title=title,
        explanation=explanation,
        form=form,
        key=replaces,
    )
    return TemplateResponse(request, "admin/apps_registry/record_key.html", context)


def check_view(model_admin: Any, request: HttpRequest, object_id: str) -> HttpResponse:
    """Confirm on GET; on POST check every usable key of the app with Zenoti."""
    application = _zenoti_application(model_admin, request, object_id)
    usable = list(application.api_keys.usable().values_list("pk", flat=True))
    if request.method != "POST":
        context = _page(
            model_admin,
            request,
            application,
            title="Check with Zenoti",
            explanation=CHECK_TEXT if usable else NO_KEYS_TO_CHECK,
            action="check",
            key=None,
        )
        return TemplateResponse(request, "admin/apps_registry/key_confirm.html", context)
    if not usable:
        messages.warning(request, NO_KEYS_TO_CHECK)
    report = services.zenoti_keys_check_all(
        actor=Actor.from_request(request), key_ids=usable, interactive=True
    )
    for check in report.checks:
        (messages.success if check.ok else messages.error)(request, f"{check.label}: {check.text}")
    return HttpResponseRedirect(_change_url(application))


def urls(model_admin: Any) -> list[URLPattern]:
    """The extra admin URLs, wrapped in ``admin_view`` for login and CSRF protection."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def inner(request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
            return view(model_admin, request, *args, **kw)

        protected = sensitive_post_parameters("api_key")(inner)
        return model_admin.admin_site.admin_view(protected)

    name = "apps_registry_application"
    return [
        path("<path:object_id>/keys/record/", wrap(record_key_view), name=f"{name}_key_record"),
        path(
            "<path:object_id>/keys/<int:key_id>/record-replacement/",
            wrap(record_key_view),
            name=f"{name}_key_record_replacement",
        ),
        path("<path:object_id>/zenoti-check/", wrap(check_view), name=f"{name}_zenoti_check"),
    ]


def change_links(application: Application) -> dict[str, Any]:
    """What the app page's object tools offer, following the issuer."""
    if not application.issued_by_zenoti:
        return {"issued_by_zenoti": False}
    has_usable = application.api_keys.usable().exists()
    return {
        "issued_by_zenoti": True,
        "rotate_in_zenoti": ROTATE_IN_ZENOTI,
        "record_key_url": None
        if has_usable
        else reverse("admin:apps_registry_application_key_record", args=[application.pk]),
        "zenoti_check_url": reverse(
            "admin:apps_registry_application_zenoti_check", args=[application.pk]
        )
        if has_usable
        else None,
    }


class IssuerLinksMixin:
    """Gives the app page's template the object tools its issuer allows."""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        application = self.get_scoped_object_or_404(request, object_id)  # type: ignore[attr-defined]
        context = {**(extra_context or {}), "zenoti_links": change_links(application)}
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]
