"""The "Send test alert" button: a sample digest to the organization's alert recipients.

Operators change recipients and mail settings and want to know, today, that the expiry email
arrives and reads well, instead of learning it when a real key is about to lapse. The sample
is marked as a test in its subject and body, names a made-up key, and is audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import timezone

from apps_registry.actors import Actor
from apps_registry.alerts.digest import DigestLine, normalize
from apps_registry.alerts.message import Reason, build_message
from apps_registry.audit import audit_record
from apps_registry.models import Organization

TEST_ACTION = "expiry_alert_test"
NO_RECIPIENTS_MESSAGE = (
    "This organization has no alert recipients yet: add at least one address under "
    "Alert recipients, save, then send the test."
)
SAMPLE_DAYS = 7


def sample_line(now: dt.datetime) -> DigestLine:
    """A made-up key expiring in a week, linking to the admin's front page."""
    expires_at = now + dt.timedelta(days=SAMPLE_DAYS)
    return DigestLine(
        application_name="Sample app",
        prefix="kp_SAMPLE00",
        expires_at=expires_at,
        days_left=SAMPLE_DAYS,
        expired=False,
        rotate_url=settings.SITE_URL.rstrip("/") + reverse("admin:index"),
        alert_ids=(),
        label="Test alert",
        last_four="0000",
    )


def expiry_alert_test_send(
    *, organization: Organization, actor: Actor, now: dt.datetime | None = None
) -> list[str]:
    """Mail the sample digest to every alert recipient; returns who it went to."""
    recipients = sorted({normalize(email) for email in organization.alert_recipients or []})
    if not recipients:
        raise ValueError(NO_RECIPIENTS_MESSAGE)
    line = sample_line(now or timezone.now())
    messages = [
        build_message(
            organization_name=organization.name,
            recipient=recipient,
            lines=[line],
            reason=Reason.RECIPIENT,
            test=True,
        )
        for recipient in recipients
    ]
    with get_connection() as connection:
        connection.send_messages(messages)
    audit_record(
        actor=actor,
        action=TEST_ACTION,
        organization=organization,
        target=organization,
        details={"recipients": recipients},
    )
    return recipients
