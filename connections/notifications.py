"""Emails to an organization's alert recipients about its Mindbody connections.

Three kinds about one connection, each sent once per transition (the services decide when):
a token that can no longer be kept alive, an API key Mindbody refuses, and a site that
worked and stopped answering. One about an API key: 80 % of the day's call budget spent
(once per key and day). They name the site and link to its admin page; they never carry a
key or a token. A mail failure is logged and never undoes or stops the work that triggered it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from apps_registry.fields import last_four
from connections.models import MindbodyCallDay, MindbodySiteConnection

log = logging.getLogger(__name__)

TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an email kind
FAILING = "failing"
KEY_REFUSED = "key_refused"
BUDGET = "call_budget"
SUBJECTS = {
    TOKEN_EXPIRED: "[Keyport] {name}: a staff member must issue a new Mindbody token",
    FAILING: "[Keyport] {name}: Mindbody site {site_id} stopped answering",
    KEY_REFUSED: "[Keyport] {name}: Mindbody refused the API key; replace it",
    BUDGET: "[Keyport] Mindbody API key {hint}: {calls} of {budget} calls used today",
}
TEMPLATES = {
    TOKEN_EXPIRED: "emails/mindbody_token_expired",
    FAILING: "emails/mindbody_failing",
    KEY_REFUSED: "emails/mindbody_key_refused",
    BUDGET: "emails/mindbody_call_budget",
}


def recipients(connection: MindbodySiteConnection) -> list[str]:
    organization = connection.organization
    return list(organization.alert_recipients) if organization.alerts_enabled else []


def _mail(kind: str, subject: str, context: dict[str, Any], to: list[str]) -> None:
    text = render_to_string(f"{TEMPLATES[kind]}.txt", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(render_to_string(f"{TEMPLATES[kind]}.html", context), "text/html")
    message.send()


def _url(connection: MindbodySiteConnection) -> str:
    path = reverse("admin:connections_mindbodysiteconnection_change", args=[connection.pk])
    return str(settings.SITE_URL).rstrip("/") + path


def send_budget(digest: str, *, day: dt.date, budget: int) -> int:
    """Email each organization using the key that 80 % of its daily budget is spent.

    Returns how many organizations were told; never raises.
    """
    try:
        users = list(
            MindbodySiteConnection.objects.filter(api_key_digest=digest)
            .select_related("organization")
            .order_by("organization_id", "name")
        )
        calls = MindbodyCallDay.objects.get(key_digest=digest, day=day).calls
        told = 0
        for organization_id in dict.fromkeys(c.organization_id for c in users):
            connections = [c for c in users if c.organization_id == organization_id]
            to = recipients(connections[0])
            if not to:
                continue
            hint = last_four(connections[0].api_key)
            context = {
                "organization": connections[0].organization,
                "connections": connections,
                "hint": hint,
                "calls": calls,
                "budget": budget,
                "day": day,
                "url": _url(connections[0]),
            }
            _mail(
                BUDGET, SUBJECTS[BUDGET].format(hint=hint, calls=calls, budget=budget), context, to
            )
            told += 1
    except Exception:
        log.exception("Could not email about the Mindbody call budget of one API key")
        return 0
    return told


def send(kind: str, *, connection_id: int) -> bool:
    """Email the organization's alert recipients; ``False`` when nobody was (or could be) told."""
    try:
        connection = MindbodySiteConnection.objects.select_related("organization").get(
            pk=connection_id
        )
        to = recipients(connection)
        if not to:
            return False
        context = {
            "connection": connection,
            "organization": connection.organization,
            "reason": connection.last_error,
            "url": _url(connection),
        }
        subject = SUBJECTS[kind].format(name=connection.name, site_id=connection.site_id)
        _mail(kind, subject, context, to)
    except Exception:
        log.exception("Could not email about Mindbody connection %s (%s)", connection_id, kind)
        return False
    return True
