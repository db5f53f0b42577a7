"""The email sent when Zenoti stops accepting a key that it accepted before.

Sent once per incident (the check service decides when: the first refusal after a pass)
to the organization's alert recipients. It names the app and the key prefix, quotes
Zenoti's message and links to "Record replacement key"; it never carries the key. A mail
failure is logged and never undoes the check that triggered it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps_registry.alerts.digest import rotate_url
from apps_registry.alerts.message import ROTATE_IN_ZENOTI
from apps_registry.models import ApiKey

log = logging.getLogger(__name__)

SUBJECT = "[Keyport] {application}: Zenoti stopped accepting API key {prefix}"
TEMPLATE = "emails/zenoti_key_refused"


def send_key_refused(api_key_id: int) -> bool:
    """Email the organization's alert recipients; ``False`` when nobody was (or could be) told."""
    try:
        key = (
            ApiKey.objects.select_related("application__organization")
            .defer("key", "application__secret")
            .get(pk=api_key_id)
        )
        organization = key.application.organization
        to = list(organization.alert_recipients) if organization.alerts_enabled else []
        if not to:
            return False
        context = {
            "key": key,
            "application": key.application,
            "organization": organization,
            "reason": key.zenoti_message,
            "rotate_in_zenoti": ROTATE_IN_ZENOTI,
            "url": rotate_url(key.application_id, key.pk, issued_by_zenoti=True),
        }
        subject = SUBJECT.format(application=key.application.name, prefix=key.prefix)
        message = EmailMultiAlternatives(
            subject, render_to_string(f"{TEMPLATE}.txt", context), settings.DEFAULT_FROM_EMAIL, to
        )
        message.attach_alternative(render_to_string(f"{TEMPLATE}.html", context), "text/html")
        message.send()
    except Exception:
        log.exception("Could not email about Zenoti key %s", api_key_id)
        return False
    return True
