"""The organization page's "Send test alert" button: confirm, then mail the sample digest."""

from __future__ import annotations

import smtplib
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from apps_registry.actors import Actor
from apps_registry.alerts.sample import expiry_alert_test_send

SENT_MESSAGE = "Sent a test alert to {recipients}. Check that it arrived and reads well."
FAILED_MESSAGE = "The test alert could not be sent: {error}. Check EMAIL_URL and the mail server."


def send_test_alert_view(model_admin: Any, request: HttpRequest, object_id: str) -> HttpResponse:
    organization = model_admin.get_scoped_object_or_404(request, unquote(object_id))
    if not model_admin.has_change_permission(request, organization):
        raise PermissionDenied
    change_url = reverse("admin:apps_registry_organization_change", args=[organization.pk])
    if request.method != "POST":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Send test alert",
            "organization": organization,
            "recipients": organization.alert_recipients or [],
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/apps_registry/test_alert.html", context)
    try:
        sent = expiry_alert_test_send(organization=organization, actor=Actor.from_request(request))
    except ValueError as exc:
        messages.error(request, str(exc))
    except (smtplib.SMTPException, OSError) as exc:
        messages.error(request, FAILED_MESSAGE.format(error=type(exc).__name__))
    else:
        messages.success(request, SENT_MESSAGE.format(recipients=", ".join(sent)))
    return HttpResponseRedirect(change_url)
