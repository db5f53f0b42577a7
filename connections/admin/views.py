"""The buttons on a connection's page: issue, verify, renew, revoke, get the activation link.

Each needs change permission on the connection (another organization's is a 404), shows a
confirmation or the staff-token form on GET and acts on POST through a service. The staff
password is a sensitive POST parameter, never echoed back, never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from apps_registry.actors import Actor
from connections import services
from connections.admin.availability import refusal
from connections.forms import TokenIssueForm
from connections.models import MindbodySiteConnection

ACTIONS: dict[str, tuple[str, str, Callable[..., services.Outcome]]] = {
    "verify": (
        "Verify now",
        "Keyport reads the site's locations with the API key alone (proving key and site), "
        "then, when there is a staff token, an endpoint that requires staff credentials.",
        services.mindbody_connection_verify,
    ),
    "renew": (
        "Renew token",
        "Mindbody extends the staff token by 24 hours from its current expiry "
        "(at most 7 times per token).",
        services.mindbody_token_renew,
    ),
    "revoke": (
        "Revoke token",
        "Mindbody ends the staff token now and Keyport forgets it. Issue a new token to use "
        "this site again.",
        services.mindbody_token_revoke,
    ),
    "activation": (
        "Get activation link",
        "Mindbody returns the activation code and link the site owner uses to approve Keyport.",
        services.mindbody_activation_fetch,
    ),
}


def _change_url(connection: MindbodySiteConnection) -> str:
    return reverse("admin:connections_mindbodysiteconnection_change", args=[connection.pk])


def _connection_for_change(
    model_admin: Any, request: HttpRequest, object_id: str
) -> MindbodySiteConnection:
    connection: MindbodySiteConnection = model_admin.get_scoped_object_or_404(request, object_id)
    if not model_admin.has_change_permission(request, connection):
        raise PermissionDenied
    return connection


def _page(
    model_admin: Any, request: HttpRequest, template: str, **context: Any
) -> TemplateResponse:
    response = TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            **context,
        },
    )
    add_never_cache_headers(response)
    return response


def action_view(
    model_admin: Any, request: HttpRequest, object_id: str, action: str
) -> HttpResponse:
    """Confirm on GET; on POST call the service and report its outcome in plain words."""
    connection = _connection_for_change(model_admin, request, object_id)
    title, explanation, service = ACTIONS[action]
    refused = refusal(connection, action)
    if refused is not None:  # no confirmation page in front of an action that cannot work
        messages.error(request, refused)
        return HttpResponseRedirect(_change_url(connection))
    if request.method != "POST":
        return _page(
            model_admin,
            request,
            "admin/connections/action_confirm.html",
            title=title,
            explanation=explanation,
            connection=connection,
            action=action,
            change_url=_change_url(connection),
        )
    try:
        outcome = service(connection=connection, actor=Actor.from_request(request))
    except services.ConnectionActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, outcome.message)
    return HttpResponseRedirect(_change_url(connection))


@sensitive_variables("form")
def issue_token_view(model_admin: Any, request: HttpRequest, object_id: str) -> HttpResponse:
    """Ask for a staff username and password, issue a token, then verify it straight away."""
    connection = _connection_for_change(model_admin, request, object_id)
    refused = refusal(connection, "issue_token")
    if refused is not None:
        messages.error(request, refused)
        return HttpResponseRedirect(_change_url(connection))
    form = TokenIssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            issued = services.mindbody_token_issue(
                connection=connection,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                actor=actor,
            )
        except services.ConnectionActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, issued.message)
            try:
                verified = services.mindbody_connection_verify(connection=connection, actor=actor)
                messages.success(request, verified.message)
            except services.ConnectionActionError as exc:
                messages.error(request, str(exc))
            return HttpResponseRedirect(_change_url(connection))
    return _page(
        model_admin,
        request,
        "admin/connections/issue_token.html",
        title="Issue staff token",
        connection=connection,
        form=form,
        change_url=_change_url(connection),
    )


def urls(model_admin: Any) -> list[URLPattern]:
    """The extra admin URLs, wrapped in ``admin_view`` for login and CSRF protection."""

    def wrap(view: Callable[..., HttpResponse], **kwargs: Any) -> Callable[..., HttpResponse]:
        # Error reports must never show the staff password, whichever view it reached.
        @sensitive_post_parameters("password")
        def inner(request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
            return view(model_admin, request, *args, **kwargs, **kw)

        return model_admin.admin_site.admin_view(inner)

    name = "connections_mindbodysiteconnection"
    patterns = [
        path("<path:object_id>/issue-token/", wrap(issue_token_view), name=f"{name}_issue_token"),
    ]
    for action in ACTIONS:
        patterns.append(
            path(
                f"<path:object_id>/{action}/",
                wrap(action_view, action=action),
                name=f"{name}_{action}",
            )
        )
    return patterns
