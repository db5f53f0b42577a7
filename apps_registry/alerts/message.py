"""One expiry email: a subject that says what expires when, a body that says what to do.

People act on an email whose subject names the application and the nearest expiry ("Glow Spa
Booking: API key expires in 7 days"), whose lines give each key's app, label, prefix and last
four, and whose action fits the key's issuer: Keyport rotates its own keys; a Zenoti key is
rotated in Zenoti, then recorded here. A closing line says why the recipient gets the email and
who can change that. Contacts outside the organization get the facts without admin links.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from apps_registry.alerts.digest import DigestLine

TEXT_TEMPLATE = "emails/expiry_digest.txt"
HTML_TEMPLATE = "emails/expiry_digest.html"
ROTATE_IN_KEYPORT = "Rotate it in Keyport"
ROTATE_IN_ZENOTI = (
    "Rotate it in Zenoti (Configuration → Apps → Credentials → Rotate), "
    "then record the new key here"
)
ROTATE_IN_ZENOTI_NO_LINK = (
    "Rotate it in Zenoti (Configuration → Apps → Credentials → Rotate), "
    "then ask your Keyport operator to record the new key"
)
ROTATE_NO_LINK = "Ask your Keyport operator to rotate it"
ONE_KEY_SUBJECT = "{application}: API key {when}"
SEVERAL_SUBJECT = "{count} API keys {when}"
TEST_SUBJECT_PREFIX = "[Test] "
WHY_RECIPIENT = (
    "You get this email because you are on the alert recipients of {organization} in Keyport. "
    "An organization admin can change that list on the organization's page."
)
WHY_CONTACT = (
    "You get this email because you are a contact of {applications} in Keyport. "
    "An operator of {organization} can change an app's contact emails on its page."
)


class Reason(enum.StrEnum):
    RECIPIENT = "recipient"  # on the organization's alert recipients: every key
    CONTACT = "contact"  # an app's contact: that app's keys only


def when_label(line: DigestLine) -> str:
    """``expires in 7 days``, ``expires today``, ``expired 2 days ago``."""
    return line.days_left_label if line.expired else f"expires in {line.days_left_label}"


def subject_for(lines: list[DigestLine]) -> str:
    """The application and the nearest expiry for one key; the count and horizon for more."""
    if len(lines) == 1:
        subject = ONE_KEY_SUBJECT.format(
            application=lines[0].application_name, when=when_label(lines[0])
        )
    else:
        live = [line.days_left for line in lines if not line.expired]
        if not live:
            when = "have expired"
        else:
            horizon = max(live)
            when = f"expire within {horizon} day" + ("" if horizon == 1 else "s")
            expired = len(lines) - len(live)
            if expired:
                when += f" ({expired} already expired)"
        subject = SEVERAL_SUBJECT.format(count=len(lines), when=when)
    return " ".join(subject.split())  # a header never carries a line break


def action_for(line: DigestLine, *, with_links: bool) -> str:
    if line.issued_by_zenoti:
        return ROTATE_IN_ZENOTI if with_links else ROTATE_IN_ZENOTI_NO_LINK
    return ROTATE_IN_KEYPORT if with_links else ROTATE_NO_LINK


def build_message(
    *,
    organization_name: str,
    recipient: str,
    lines: list[DigestLine],
    reason: Reason = Reason.RECIPIENT,
    with_links: bool = True,
    test: bool = False,
) -> EmailMultiAlternatives:
    applications = sorted({line.application_name for line in lines})
    why = WHY_RECIPIENT if reason is Reason.RECIPIENT else WHY_CONTACT
    context = {
        "organization": organization_name,
        "rows": [(line, action_for(line, with_links=with_links)) for line in lines],
        "count": len(lines),
        "with_links": with_links,
        "why": why.format(organization=organization_name, applications=", ".join(applications)),
        "test": test,
    }
    subject = (TEST_SUBJECT_PREFIX if test else "") + subject_for(lines)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(TEXT_TEMPLATE, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(render_to_string(HTML_TEMPLATE, context), "text/html")
    return message
