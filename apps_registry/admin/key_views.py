"""Admin views around credentials: the show-once page and generate / rotate / revoke.

Every action is a POST behind a confirmation page, needs change permission on the app,
and goes through a service; new plaintext travels only via ``show_once``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables

from apps_registry import services, show_once
from apps_registry.actors import Actor
from apps_registry.admin.key_forms import GenerateKeyForm
from apps_registry.admin.last_use import last_use_sentence
from apps_registry.models import ApiKey, Application
from apps_registry.services import KeyStateError

ALREADY_SHOWN_MESSAGE = (
    "These credentials were already shown once and cannot be shown again. "
    "Rotate the key or export the app's credentials if you need them."
)
ACTION_TEXT = {
    "generate": (
        "Generate API key",
        "A new API key will be created for this app and shown once.",
    ),
    "rotate": (
        "Rotate API key",
        "A new key will be created and shown once. The old key keeps working for the "
        "organization's grace period, then expires.",
    ),
    "revoke": (
        "Revoke API key",
        "The key stops working immediately. This cannot be undone.",
    ),
    "mark_revoked": (
        "Mark as revoked",
        "Keyport stops exporting and checking this key. Zenoti issued it, so it keeps working "
        "until you revoke it in Zenoti too (Configuration → Apps → Credentials). "
        "This cannot be undone in Keyport.",
    ),
}


MARKED_REVOKED = (
    "Key {prefix} is marked as revoked: Keyport no longer exports it. Revoke it in Zenoti too."
)


def confirmation_dates(
    action: str, organization: Any, key: ApiKey | None, now: dt.datetime
) -> list[str]:
    """The exact moments the confirmation page promises, before anything is done."""
    lifetime = dt.timedelta(days=organization.api_key_lifetime_days)
    if action == "rotate" and key is not None:
        grace_end = min(key.expires_at, now + dt.timedelta(days=organization.rotation_grace_days))
        return [
            f"The new key will expire on {now + lifetime:%Y-%m-%d %H:%M} UTC.",
            f"The old key {key.prefix} keeps working until {grace_end:%Y-%m-%d %H:%M} UTC "
            f"(the {organization.rotation_grace_days}-day grace period), then expires.",
        ]
    if action == "revoke" and key is not None:
        return [f"Key {key.prefix} stops working now; it would have expired on "
                f"{key.expires_at:%Y-%m-%d %H:%M} UTC."]  # fmt: skip
    if action == "generate":
        return [
            f"With the longest lifetime the key expires on {now + lifetime:%Y-%m-%d %H:%M} UTC."
        ]
    return []


def _change_url(application: Application) -> str:
    return reverse("admin:apps_registry_application_change", args=[application.pk])


def _credentials_url(application: Application) -> str:
    return reverse("admin:apps_registry_application_credentials", args=[application.pk])


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _application_for_change(model_admin: Any, request: HttpRequest, object_id: str) -> Application:
    application: Application = model_admin.get_scoped_object_or_404(request, object_id)
    if not model_admin.has_change_permission(request, application):
        raise PermissionDenied
    return application


def credentials_view(model_admin: Any, request: HttpRequest, object_id: str) -> HttpResponse:
    """Show freshly generated credentials once; afterwards the page only explains why not."""
    application = model_admin.get_scoped_object_or_404(request, object_id)
    values = show_once.pop(request, target=f"app:{application.pk}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Credentials of {application}",
        "application": application,
        "values": values,
        "already_shown_message": ALREADY_SHOWN_MESSAGE,
        "change_url": _change_url(application),
    }
    response = TemplateResponse(request, "admin/apps_registry/show_once.html", context)
    return _no_store(response)


@sensitive_variables("raw_key")
def key_action_view(
    model_admin: Any, request: HttpRequest, object_id: str, action: str, key_id: int | None = None
) -> HttpResponse:
    """Confirm on GET, act on POST; the new key (if any) goes to the show-once page."""
    application = _application_for_change(model_admin, request, object_id)
    if application.issued_by_zenoti and action != "revoke":
        messages.error(request, services.ZENOTI_ISSUES_KEYS_MESSAGE)
        return HttpResponseRedirect(_change_url(application))
    key = None
    if key_id is not None:
        key = ApiKey.objects.filter(application=application, pk=key_id).defer("key").first()
        if key is None:
            raise Http404("No such key for this application.")
    organization = application.organization
    form = None
    if action == "generate":
        data = request.POST if request.method == "POST" else None
        form = GenerateKeyForm(data, maximum_days=organization.api_key_lifetime_days)
    if request.method != "POST" or (form is not None and not form.is_valid()):
        zenoti_revoke = application.issued_by_zenoti and action == "revoke"
        title, explanation = ACTION_TEXT["mark_revoked" if zenoti_revoke else action]
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "explanation": explanation,
            "application": application,
            "key": key,
            "last_use": last_use_sentence(key.last_used_at) if key is not None else "",
            "form": form,
            "dates": confirmation_dates(action, organization, key, timezone.now()),
            "action": action,
            "change_url": _change_url(application),
        }
        return TemplateResponse(request, "admin/apps_registry/key_confirm.html", context)
    actor = Actor.from_request(request)
    try:
        if action == "revoke":
            assert key is not None
            services.api_key_revoke(api_key=key, actor=actor)
            done = MARKED_REVOKED if application.issued_by_zenoti else "Key {prefix} is revoked."
            messages.success(request, done.format(prefix=key.prefix))
            return HttpResponseRedirect(_change_url(application))
        if action == "rotate":
            assert key is not None
            new_key, raw_key = services.api_key_rotate(api_key=key, actor=actor)
        else:
            assert form is not None
            new_key, raw_key = services.api_key_generate(
                application=application,
                actor=actor,
                label=form.cleaned_data["label"],
                lifetime_days=form.cleaned_data["lifetime_days"],
            )
    except KeyStateError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_change_url(application))
    show_once.stash(
        request,
        target=f"app:{application.pk}",
        values=[
            *(
                [show_once.ShownValue("Label", new_key.label, secret=False)]
                if new_key.label
                else []
            ),
            show_once.ShownValue("Key prefix", new_key.prefix, secret=False),
            show_once.ShownValue("API key", raw_key, secret=True),
            show_once.ShownValue(
                "Expires", f"{new_key.expires_at:%Y-%m-%d %H:%M} UTC", secret=False
            ),
        ],
    )
    return HttpResponseRedirect(_credentials_url(application))


def urls(model_admin: Any) -> list[URLPattern]:
    """The extra admin URLs, wrapped in ``admin_view`` for login and CSRF protection."""

    def wrap(view: Callable[..., HttpResponse], **kwargs: Any) -> Callable[..., HttpResponse]:
        def inner(request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
            return view(model_admin, request, *args, **kwargs, **kw)

        return model_admin.admin_site.admin_view(inner)

    name = "apps_registry_application"
    return [
        path("<path:object_id>/credentials/", wrap(credentials_view), name=f"{name}_credentials"),
        path(
            "<path:object_id>/keys/generate/",
            wrap(key_action_view, action="generate"),
            name=f"{name}_key_generate",
        ),
        path(
            "<path:object_id>/keys/<int:key_id>/rotate/",
            wrap(key_action_view, action="rotate"),
            name=f"{name}_key_rotate",
        ),
        path(
            "<path:object_id>/keys/<int:key_id>/revoke/",
            wrap(key_action_view, action="revoke"),
            name=f"{name}_key_revoke",
        ),
    ]
