"""Two-factor authentication for the admin: enrol a TOTP authenticator, then verify codes.

A logged-in staff user without a confirmed device sees a QR code (drawn on the server as
SVG, no third party) and confirms it with a first code; later logins ask for a code.
"""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib.admin import site as admin_site
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps_registry.actors import Actor
from apps_registry.audit import audit_record

WRONG_CODE_MESSAGE = "That code is not right. Enter the 6-digit code your authenticator shows now."
DEVICE_NAME = "Authenticator app"


class CodeForm(forms.Form):
    token = forms.CharField(
        label="6-digit code",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return reverse("admin:index")


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="Scan with your authenticator app"
    )


@sensitive_post_parameters("token")
@login_required(login_url="admin:login")
def two_factor_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(
                    actor=Actor.from_request(request), action="two_factor_enrol", target=user
                )
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", WRONG_CODE_MESSAGE)
    context = {
        **admin_site.each_context(request),
        "title": "Two-factor authentication",
        "form": form,
        "enrolling": not device.confirmed,
        "qr_svg": mark_safe(_qr_svg(device)) if not device.confirmed else "",  # noqa: S308
        "next": _next_url(request),
    }
    response = TemplateResponse(request, "admin/two_factor.html", context)
    add_never_cache_headers(response)
    return response
