"""The ExpiryAlert admin (apps_registry.admin.alerts) and the organization form's alert
fields (apps_registry.forms.OrganizationForm)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps_registry import roles
from apps_registry.admin.alerts import RETRY_NOTHING, RETRY_QUEUED
from apps_registry.alerts.claims import expiry_alerts_scan
from apps_registry.forms import LEAD_TIMES_NOT_NUMBERS, OrganizationForm
from apps_registry.models import AuditEvent, ExpiryAlert
from apps_registry.validators import (
    EMAIL_INVALID,
    EMAILS_INVALID,
    LEAD_TIMES_DUPLICATE,
    LEAD_TIMES_EMPTY,
    LEAD_TIMES_RANGE,
)
from tests.factories import make_application, make_key, make_user
from tests.support_alerts import NOW, in_days

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:apps_registry_expiryalert_changelist")
# The shipped Operator role does not include the alert list; this operator gets it on top.
ALERT_PERMISSIONS = ["view_expiryalert", "change_expiryalert"]


@pytest.fixture
def alert_operator(spa):
    return make_user(
        "alice", role=roles.OPERATOR, permissions=ALERT_PERMISSIONS, organizations=[spa]
    )


@pytest.fixture
def alerts(spa, other_organization):
    mine = make_key(make_application(spa, name="Booking widget"), expires_at=in_days(5))
    theirs = make_key(make_application(other_organization, name="Rival app"), expires_at=in_days(5))
    other_organization.alert_recipients = ["boss@rival.test"]
    other_organization.save()
    expiry_alerts_scan(now=NOW)
    ExpiryAlert.objects.update(status="failed", error="SMTPServerDisconnected: down")
    return mine, theirs


def test_list_shows_own_alerts_with_columns_and_filters(client, alert_operator, alerts) -> None:
    mine, theirs = alerts
    client.force_login(alert_operator)
    page = client.get(LIST_URL).content.decode()
    assert mine.prefix in page and theirs.prefix not in page
    assert "Rival Gym" not in page  # not even in the organization filter
    assert "Booking widget" in page and "Serenity Spa" in page and "30 days" in page
    assert "SMTPServerDisconnected: down" in page
    filtered = client.get(LIST_URL, {"status__exact": "sent"}).content.decode()
    assert mine.prefix not in filtered


def test_another_organizations_alert_is_a_404(client, alert_operator, alerts) -> None:
    _, theirs = alerts
    client.force_login(alert_operator)
    alert = ExpiryAlert.objects.filter(api_key=theirs).earliest("pk")
    url = reverse("admin:apps_registry_expiryalert_change", args=[alert.pk])
    assert client.get(url).status_code == 404


def test_retry_failed_reclaims_own_failed_alerts_and_audits(
    client, alert_operator, alerts, django_capture_on_commit_callbacks
) -> None:
    mine, theirs = alerts
    client.force_login(alert_operator)
    ids = list(ExpiryAlert.objects.values_list("pk", flat=True))  # tries to include theirs too
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            LIST_URL, {"action": "retry_failed", "_selected_action": ids}, follow=True
        )
    assert RETRY_QUEUED.format(count=1) in response.content.decode()
    assert len(callbacks) == 1  # one send task queued, for this organization only
    assert set(ExpiryAlert.objects.filter(api_key=mine).values_list("status", flat=True)) == {
        "pending"
    }
    assert set(ExpiryAlert.objects.filter(api_key=theirs).values_list("status", flat=True)) == {
        "failed"
    }
    event = AuditEvent.objects.get(action="expiry_alert_retry")
    assert event.actor == alert_operator and event.details["alerts"] == 2

    again = client.post(LIST_URL, {"action": "retry_failed", "_selected_action": ids}, follow=True)
    assert RETRY_NOTHING in again.content.decode()


def test_alerts_cannot_be_added_or_deleted(client, alert_operator, alerts) -> None:
    client.force_login(alert_operator)
    assert client.get(reverse("admin:apps_registry_expiryalert_add")).status_code == 403
    alert = ExpiryAlert.objects.filter(api_key=alerts[0]).earliest("pk")
    delete = reverse("admin:apps_registry_expiryalert_delete", args=[alert.pk])
    assert client.get(delete).status_code == 403


def _org_form(**overrides):
    data = {
        "name": "Serenity Spa",
        "slug": "serenity-spa-2",
        "api_key_lifetime_days": 365,
        "rotation_grace_days": 7,
        "expiry_alert_days": "30, 7, 1",
        "alert_recipients": "ops@serenity.test",
        "alerts_enabled": True,
        "app_contacts": "members",
        **overrides,
    }
    return OrganizationForm(data=data)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", LEAD_TIMES_EMPTY),
        ("30, seven", LEAD_TIMES_NOT_NUMBERS),
        ("0, 7", LEAD_TIMES_RANGE.format(values="0")),
        ("366, 0, 7, 400", LEAD_TIMES_RANGE.format(values="366, 0, 400")),
        ("-1", LEAD_TIMES_RANGE.format(values="-1")),
        ("7, 30, 7, 1, 1", LEAD_TIMES_DUPLICATE.format(values="7, 1")),
    ],
)
def test_organization_form_rejects_bad_lead_times(db, value: str, message: str) -> None:
    form = _org_form(expiry_alert_days=value)
    assert not form.is_valid()
    assert form.errors["expiry_alert_days"] == [message]


def test_organization_form_names_the_bad_recipient(db) -> None:
    form = _org_form(alert_recipients="ops@serenity.test\nnot-an-email")
    assert not form.is_valid()
    assert form.errors["alert_recipients"] == [EMAIL_INVALID.format(email="not-an-email")]


def test_organization_form_names_every_bad_recipient(db) -> None:
    form = _org_form(alert_recipients="ops@serenity.test, nope\nalso@bad, x@y.test")
    assert not form.is_valid()
    assert form.errors["alert_recipients"] == [EMAILS_INVALID.format(emails="“nope”, “also@bad”")]


def test_organization_form_stores_lead_times_largest_first(db) -> None:
    form = _org_form(expiry_alert_days="1 7,365; 30", alert_recipients="a@x.test, b@x.test")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expiry_alert_days"] == [365, 30, 7, 1]
    assert form.cleaned_data["alert_recipients"] == ["a@x.test", "b@x.test"]
