"""Emails to an organization's alert recipients about its Mindbody connections.

Two kinds, each sent once per transition (the services decide when): a token that can no
longer be kept alive, and a site that worked and stopped answering. They name the site and
link to its admin page; they never carry a key or a token. A mail failure is logged and
never undoes or stops the work that triggered it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from connections.models import MindbodySiteConnection

log = logging.getLogger(__name__)

TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an email kind
FAILING = "failing"
SUBJECTS = {
    TOKEN_EXPIRED: "[Keyport] {name}: a staff member must issue a new Mindbody token",
    FAILING: "[Keyport] {name}: Mindbody site {site_id} stopped answering",
}
TEMPLATES = {TOKEN_EXPIRED: "emails/mindbody_token_expired", FAILING: "emails/mindbody_failing"}


def recipients(connection: MindbodySiteConnection) -> list[str]:
    organization = connection.organization
    return list(organization.alert_recipients) if organization.alerts_enabled else []


def send(kind: str, *, connection_id: int) -> bool:
    """Email the organization's alert recipients; ``False`` when nobody was (or could be) told."""
    try:
        connection = MindbodySiteConnection.objects.select_related("organization").get(
            pk=connection_id
        )
        to = recipients(connection)
        if not to:
            return False
        path = reverse("admin:connections_mindbodysiteconnection_change", args=[connection.pk])
        context = {
            "connection": connection,
            "organization": connection.organization,
            "reason": connection.last_error,
            "url": settings.SITE_URL.rstrip("/") + path,
        }
        subject = SUBJECTS[kind].format(name=connection.name, site_id=connection.site_id)
        text = render_to_string(f"{TEMPLATES[kind]}.txt", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
        message.attach_alternative(
            render_to_string(f"{TEMPLATES[kind]}.html", context), "text/html"
        )
        message.send()
    except Exception:
        log.exception("Could not email about Mindbody connection %s (%s)", connection_id, kind)
        return False
    return True
