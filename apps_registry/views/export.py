"""The credential export page: choose items, choose a format, re-enter the password.

Order of checks: permission (403), ids that are whole numbers in range (400), every chosen
id in the user's organizations (404), rate limit (429), the login lockout (django-axes),
password (form error), values a .env file can carry (400). Each refusal is audited (one row
per organization concerned); a download happens only after its audit row is committed.
Wrong passwords go through ``authenticate()``, so they count against the same lockout as
wrong logins: five of them lock the user (from that address) out of both.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib.admin import site as admin_site
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from apps_registry import reauth, selectors
from apps_registry.actors import Actor
from apps_registry.export.dotenv import EnvValueError
from apps_registry.plugins import EXPORT_SOURCES
from apps_registry.roles import EXPORT_PERMISSION
from apps_registry.services.export import (
    ExportRateLimitedError,
    credentials_export,
    credentials_export_refuse,
)

RATE_LIMIT_PER_HOUR = 20
EXPORTED_COOKIE = "keyport_exported"
EXPORTED_MESSAGE = "Exported {names} as {filename}; the export is recorded in the audit log."
NO_PERMISSION_MESSAGE = "You do not have permission to export credentials."
RATE_LIMITED_MESSAGE = (
    f"You have exported credentials {RATE_LIMIT_PER_HOUR} times in the past hour, the most "
    "Keyport allows. Please try again later."
)
WRONG_PASSWORD_MESSAGE = "That password is not correct. Enter the password you log in with."  # noqa: S105
NOTHING_CHOSEN_MESSAGE = "Choose at least one application or connection to export."
MALFORMED_ID_MESSAGE = "Choose applications and connections from the list; that choice is not one."
NOT_FOUND_MESSAGE = "No such item in your organizations."
LOCKED_OUT_MESSAGE = (
    "Too many wrong passwords: your account is locked for now. Try again later, or ask an "
    "administrator to unlock it."
)
MAX_ID = 2**63 - 1


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("env", ".env file"), ("json", "JSON")], initial="env", widget=forms.RadioSelect
    )
    as_zip = forms.BooleanField(
        label="As a ZIP archive",
        required=False,
        help_text="One file per item and a manifest. Several items always come as a ZIP.",
    )
    password = forms.CharField(
        label="Your password",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Re-enter it to confirm; it stays valid for 5 minutes.",
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for kind, options in choices.items():
            self.fields[kind] = forms.TypedMultipleChoiceField(
                label=EXPORT_SOURCES[kind].label,
                choices=options,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        self.order_fields([*choices, "format", "as_zip", "password"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(kind) for kind in EXPORT_SOURCES):
            raise forms.ValidationError(NOTHING_CHOSEN_MESSAGE)
        return cleaned


class MalformedIdError(ValueError):
    """An id in the request is not a whole number a database row can have."""


def _as_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() else 0
    if not 0 < number <= MAX_ID:
        raise MalformedIdError(value)
    return number


def _requested_ids(request: HttpRequest) -> dict[str, list[int]]:
    data = request.POST if request.method == "POST" else request.GET
    return {kind: [_as_id(v) for v in data.getlist(kind)] for kind in EXPORT_SOURCES}


def _page(request: HttpRequest, form: ExportForm, status: int = 200) -> HttpResponse:
    context = {
        **admin_site.each_context(request),
        "title": "Export credentials",
        "form": form,
        "needs_password": not reauth.recently_reauthenticated(request),
    }
    return TemplateResponse(request, "admin/apps_registry/export.html", context, status=status)


def _refuse(
    request: HttpRequest,
    actor: Actor,
    reason: str,
    status: int,
    message: str,
    organizations: Any = None,
) -> Any:
    if organizations is None:
        organizations = selectors.organizations_for_user(request.user)
        organizations = organizations if not request.user.is_superuser else []
    credentials_export_refuse(
        actor=actor, reason=reason, organizations=organizations, details={"path": request.path}
    )
    if status == 404:
        raise Http404(message)
    return _refused_page(request, status, message)


def _refused_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return TemplateResponse(
        request,
        "admin/apps_registry/export_refused.html",
        {**admin_site.each_context(request), "title": "Export refused", "message": message},
        status=status,
    )


@sensitive_variables("password")
def _password_confirms(request: HttpRequest, password: str) -> bool:
    """The password through ``authenticate()``: a wrong one counts towards the axes lockout,
    and a locked-out user is refused even with the right one."""
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


@sensitive_post_parameters("password")
@sensitive_variables("export_file")
def credentials_export_view(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if not request.user.has_perm(EXPORT_PERMISSION):
        return _refuse(request, actor, "permission", 403, NO_PERMISSION_MESSAGE)
    try:
        requested = _requested_ids(request)
    except MalformedIdError:
        return _refuse(request, actor, "malformed_id", 400, MALFORMED_ID_MESSAGE)
    try:
        selectors.export_objects(request.user, requested)
    except selectors.ExportNotFoundError:
        _refuse(request, actor, "not_found", 404, NOT_FOUND_MESSAGE)
    choices = selectors.export_choices(request.user)
    if request.method != "POST":
        return _page(request, ExportForm(initial=requested, choices=choices))
    if selectors.exports_in_last_hour(request.user) >= RATE_LIMIT_PER_HOUR:
        return _refuse(request, actor, "rate_limited", 429, RATE_LIMITED_MESSAGE)
    form = ExportForm(request.POST, choices=choices)
    if not form.is_valid():
        return _page(request, form)
    chosen = {kind: form.cleaned_data.get(kind) or [] for kind in EXPORT_SOURCES}
    selection = selectors.export_objects(request.user, chosen)
    organizations = sorted(
        {obj.organization for objects in selection.values() for obj in objects},
        key=lambda organization: organization.pk,
    )
    if not reauth.recently_reauthenticated(request):
        if not _password_confirms(request, form.cleaned_data["password"]):
            if getattr(request, "axes_locked_out", False):
                return _refuse(request, actor, "locked_out", 429, LOCKED_OUT_MESSAGE, organizations)
            credentials_export_refuse(
                actor=actor, reason="wrong_password", organizations=organizations
            )
            form.add_error("password", WRONG_PASSWORD_MESSAGE)
            return _page(request, form)
        reauth.mark_reauthenticated(request)
    try:
        export_file = credentials_export(
            actor=actor,
            selection=selection,
            fmt=form.cleaned_data["format"],
            hourly_limit=RATE_LIMIT_PER_HOUR,
            as_zip=bool(form.cleaned_data.get("as_zip")),
        )
    except ExportRateLimitedError:
        return _refused_page(request, 429, RATE_LIMITED_MESSAGE)
    except EnvValueError as exc:
        form.add_error("format", str(exc))
        return _page(request, form, status=400)
    response = HttpResponse(export_file.body, content_type=export_file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_file.filename}"'
    add_never_cache_headers(response)
    names = [obj.name for kind in sorted(selection) for obj in selection[kind]]
    done = EXPORTED_MESSAGE.format(names=", ".join(names), filename=export_file.filename)
    # Read by export_page.js to confirm on the page the download left open; no secret in it.
    response.set_cookie(
        EXPORTED_COOKIE,
        quote(done),
        max_age=120,
        path=request.path,
        samesite="Strict",
        secure=request.is_secure(),
    )
    return response
