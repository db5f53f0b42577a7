"""The registry's Celery tasks (apps_registry.tasks), run in this process through Celery's own
``apply()``: the daily scan queues one send per organization once its claim is committed, the
send task delivers the digest to a real SMTP server (once), and an outage is retried until the
last attempt marks the rows failed. test_alerts_worker.py runs them on a real worker and Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps_registry.alerts.claims import expiry_alerts_scan
from apps_registry.models import ExpiryAlert
from apps_registry.tasks import SEND_TASK, scan_expiry_alerts, send_expiry_digest
from tests.factories import make_application, make_key

pytestmark = pytest.mark.django_db


def _due_in(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def due(spa, other_organization):
    """A key due for its 7-day alert in each of two organizations."""
    other_organization.alert_recipients = ["boss@rival.test"]
    other_organization.save()
    make_key(make_application(spa, name="Booking widget"), expires_at=_due_in(5))
    make_key(make_application(other_organization, name="Rival app"), expires_at=_due_in(5))


def test_scan_queues_one_digest_per_organization_and_they_arrive(
    due, smtp_server, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        assert scan_expiry_alerts.apply().get() == 2
    assert len(queued) == 2 and not smtp_server.received  # nothing is queued before the commit
    for send in queued:  # each is send_expiry_digest.delay(organization_id=..., claim=...)
        assert send.func == send_expiry_digest.delay
        assert send_expiry_digest.apply(kwargs=send.keywords).get() == "sent"
    assert sorted(smtp_server.by_recipient()) == [
        "boss@rival.test",
        "ops@serenity.test",
        "sec@serenity.test",
    ]
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {"sent"}


def test_send_task_retries_an_smtp_outage_then_marks_the_rows_failed(
    due, spa, smtp_server, settings
) -> None:
    settings.EXPIRY_ALERT_MAX_RETRIES = 2
    batches = expiry_alerts_scan(now=timezone.now()).batches
    [spa_batch] = [batch for batch in batches if batch.organization_id == spa.pk]
    smtp_server.stop()
    kwargs = {"organization_id": spa_batch.organization_id, "claim": spa_batch.claim}
    result = send_expiry_digest.apply(kwargs=kwargs)
    assert result.get() == "failed"
    rows = ExpiryAlert.objects.filter(api_key__application__organization=spa)
    assert {(row.status, row.attempts) for row in rows} == {("failed", 3)}
    assert all("Connection refused" in row.error for row in rows)
    assert send_expiry_digest.name == SEND_TASK


def test_send_task_delivers_once_even_when_run_twice(due, smtp_server) -> None:
    batches = expiry_alerts_scan(now=timezone.now()).batches
    kwargs = {"organization_id": batches[0].organization_id, "claim": batches[0].claim}
    assert send_expiry_digest.apply(kwargs=kwargs).get() == "sent"
    delivered = len(smtp_server.received)
    assert delivered >= 1
    assert send_expiry_digest.apply(kwargs=kwargs).get() == "nothing"
    assert len(smtp_server.received) == delivered
