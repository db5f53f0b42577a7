"""The pages around one verifier token: shown once after creation or rotation, and the
Rotate / Revoke confirmations (POST acts, through the audited services)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables

from apps_registry import services, show_once
from apps_registry.actors import Actor
from apps_registry.admin.key_views import ALREADY_SHOWN_MESSAGE
from apps_registry.admin.last_use import last_use_sentence
from apps_registry.models import VerifierToken

ACTION_TEXT = {
    "rotate": (
        "Rotate verifier token",
        "A new token will be created and shown once. The old token keeps working for the "
        "organization's grace period, so the gateway can switch without downtime.",
    ),
    "revoke": (
        "Revoke verifier token",
        "Every verification with this token is refused from now on. This cannot be undone.",
    ),
}


def _change_url(token: VerifierToken) -> str:
    return reverse("admin:apps_registry_verifiertoken_change", args=[token.pk])


@sensitive_variables("raw_token")
def stash_token(request: HttpRequest, token: VerifierToken, raw_token: str) -> None:
    """Keep the new plaintext for the one page that shows it."""
    expiry = f"{token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "Never"
    show_once.stash(
        request,
        target=f"verifier:{token.pk}",
        values=[
            show_once.ShownValue("Token prefix", token.prefix, secret=False),
            show_once.ShownValue("Verifier token", raw_token, secret=True),
            show_once.ShownValue("Expires", expiry, secret=False),
        ],
    )


def _page(model_admin: Any, request: HttpRequest, token: VerifierToken, **extra: Any) -> Any:
    # "application" names the object the breadcrumbs and the back link lead to.
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "application": token,
        "change_url": _change_url(token),
        **extra,
    }


def shown_view(model_admin: Any, request: HttpRequest, object_id: str) -> HttpResponse:
    token = model_admin.get_scoped_object_or_404(request, object_id)
    values = show_once.pop(request, target=f"verifier:{token.pk}")
    context = _page(
        model_admin,
        request,
        token,
        title=f"Verifier token {token.name}",
        values=values,
        already_shown_message=ALREADY_SHOWN_MESSAGE.replace(
            "Rotate the key or export the app's credentials", "Rotate the token"
        ),
    )
    response = TemplateResponse(request, "admin/apps_registry/show_once.html", context)
    add_never_cache_headers(response)
    return response


@sensitive_variables("raw_token")
def action_view(
    model_admin: Any, request: HttpRequest, object_id: str, action: str
) -> HttpResponse:
    token = model_admin.get_scoped_object_or_404(request, object_id)
    if not model_admin.has_change_permission(request, token):
        raise PermissionDenied
    if request.method != "POST":
        title, explanation = ACTION_TEXT[action]
        context = _page(
            model_admin,
            request,
            token,
            title=title,
            explanation=explanation,
            action=action,
            last_use=last_use_sentence(token.last_used_at),
        )
        return TemplateResponse(request, "admin/apps_registry/verifier_confirm.html", context)
    actor = Actor.from_request(request)
    try:
        if action == "revoke":
            services.verifier_token_revoke(verifier_token=token, actor=actor)
            messages.success(request, f"Verifier token {token.prefix} is revoked.")
            return HttpResponseRedirect(_change_url(token))
        new, raw_token = services.verifier_token_rotate(verifier_token=token, actor=actor)
    except services.VerifierStateError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_change_url(token))
    stash_token(request, new, raw_token)
    return HttpResponseRedirect(reverse("admin:apps_registry_verifiertoken_shown", args=[new.pk]))


def urls(model_admin: Any) -> list[URLPattern]:
    """Extra admin URLs, wrapped in ``admin_view`` for login and CSRF protection."""

    def wrap(view: Callable[..., HttpResponse], **kwargs: Any) -> Callable[..., HttpResponse]:
        def inner(request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
            return view(model_admin, request, *args, **kwargs, **kw)

        return model_admin.admin_site.admin_view(inner)

    name = "apps_registry_verifiertoken"
    return [
        path("<path:object_id>/shown/", wrap(shown_view), name=f"{name}_shown"),
        path("<path:object_id>/rotate/", wrap(action_view, action="rotate"), name=f"{name}_rotate"),
        path("<path:object_id>/revoke/", wrap(action_view, action="revoke"), name=f"{name}_revoke"),
    ]
