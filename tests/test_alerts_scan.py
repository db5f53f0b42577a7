"""The level-triggered scan (apps_registry.alerts.due / claims): what is due, what is claimed."""

from __future__ import annotations

import datetime as dt

import pytest

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.alerts.claims import STALE_CLAIM_AFTER, expiry_alerts_scan
from apps_registry.alerts.due import crossed_thresholds
from apps_registry.models import ExpiryAlert, ExpiryAlertStatus
from tests.factories import make_application, make_key, make_organization
from tests.support_alerts import NOW, in_days, rows_of

pytestmark = pytest.mark.django_db

PENDING, SENT, FAILED = ExpiryAlertStatus.PENDING, ExpiryAlertStatus.SENT, ExpiryAlertStatus.FAILED


def test_crossed_thresholds_counts_lead_moments_that_passed_and_expiry() -> None:
    leads = [30, 7, 1]
    assert crossed_thresholds(expires_at=in_days(40), lead_days=leads, now=NOW) == set()
    assert crossed_thresholds(expires_at=in_days(30), lead_days=leads, now=NOW) == {30}
    assert crossed_thresholds(expires_at=in_days(5), lead_days=leads, now=NOW) == {30, 7}
    assert crossed_thresholds(expires_at=in_days(0.5), lead_days=leads, now=NOW) == {30, 7, 1}
    assert crossed_thresholds(expires_at=in_days(-2), lead_days=leads, now=NOW) == {30, 7, 1, 0}


@pytest.fixture
def keys(spa):
    """Keys at 40, 25, 5, 0.5 and -2 days, plus keys the scan must never mention."""
    booking = make_application(spa, name="Booking widget", contact_emails=("dev@widget.test",))
    kiosk = make_application(spa, name="Front desk kiosk")
    keys = {
        days: make_key(booking if days > 1 else kiosk, expires_at=in_days(days))
        for days in (40, 25, 5, 0.5, -2)
    }
    keys["revoked"] = make_key(kiosk, expires_at=in_days(3))
    services.api_key_revoke(api_key=keys["revoked"], actor=Actor.system(), now=NOW)
    keys["rotated"] = make_key(kiosk, expires_at=in_days(20))
    services.api_key_rotate(api_key=keys["rotated"], actor=Actor.system(), now=NOW)
    keys["rotated"].refresh_from_db()
    retired = make_application(spa, name="Retired app")
    retired.is_active = False
    retired.save()
    keys["inactive"] = make_key(retired, expires_at=in_days(2))
    quiet = make_organization("Quiet Gym", alerts_enabled=False)
    keys["disabled_org"] = make_key(
        make_application(quiet, name="Quiet app"), expires_at=in_days(2)
    )
    return keys


def test_scan_records_every_crossed_lead_time_once_per_key(keys) -> None:
    report = expiry_alerts_scan(now=NOW)

    assert rows_of(keys[40]) == {}
    assert rows_of(keys[25]) == {30: PENDING}
    assert rows_of(keys[5]) == {30: PENDING, 7: PENDING}
    assert rows_of(keys[0.5]) == {30: PENDING, 7: PENDING, 1: PENDING}
    assert rows_of(keys[-2]) == {30: PENDING, 7: PENDING, 1: PENDING, 0: PENDING}
    for excluded in ("revoked", "rotated", "inactive", "disabled_org"):
        assert rows_of(keys[excluded]) == {}, excluded
    assert report.created == 10
    assert [key.api_key_id for key in report.due] == [keys[d].pk for d in (-2, 0.5, 5, 25)]
    assert len(report.batches) == 1
    assert ExpiryAlert.objects.filter(claim=report.batches[0].claim).count() == 10


def test_a_second_scan_finds_nothing_due(keys) -> None:
    expiry_alerts_scan(now=NOW)
    again = expiry_alerts_scan(now=NOW + dt.timedelta(hours=1))
    assert again.due == [] and again.created == 0 and again.batches == []


def test_dry_run_reports_without_writing(keys) -> None:
    report = expiry_alerts_scan(now=NOW, dry_run=True)
    assert len(report.due) == 4
    assert report.batches == []
    assert not ExpiryAlert.objects.exists()


def test_key_created_five_days_before_expiry_is_due_once_with_both_lead_times(spa) -> None:
    key = make_key(make_application(spa, name="Late app"), expires_at=in_days(5))
    first = expiry_alerts_scan(now=NOW)
    assert [(k.api_key_id, k.thresholds) for k in first.due] == [(key.pk, (30, 7))]
    assert expiry_alerts_scan(now=NOW).due == []


def test_a_new_expiry_starts_a_new_alert_cycle(spa) -> None:
    key = make_key(make_application(spa, name="Renewed app"), expires_at=in_days(5))
    expiry_alerts_scan(now=NOW)
    key.expires_at = in_days(6)
    key.save()
    assert [k.thresholds for k in expiry_alerts_scan(now=NOW).due] == [(30, 7)]


def test_failed_alerts_are_claimed_again_by_the_next_scan(spa) -> None:
    make_key(make_application(spa, name="Flaky app"), expires_at=in_days(5))
    expiry_alerts_scan(now=NOW)
    ExpiryAlert.objects.update(status=FAILED, error="SMTP down")
    report = expiry_alerts_scan(now=NOW + dt.timedelta(days=1))
    assert report.created == 0 and report.reclaimed == 2
    claimed = set(ExpiryAlert.objects.values_list("status", "claim"))
    assert claimed == {(PENDING, report.batches[0].claim)}


def test_failed_alerts_of_a_revoked_key_stay_failed(spa) -> None:
    key = make_key(make_application(spa, name="Gone app"), expires_at=in_days(5))
    expiry_alerts_scan(now=NOW)
    ExpiryAlert.objects.update(status=FAILED)
    services.api_key_revoke(api_key=key, actor=Actor.system(), now=NOW)
    assert expiry_alerts_scan(now=NOW + dt.timedelta(days=1)).reclaimed == 0
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {FAILED}


def test_pending_alerts_are_taken_over_only_once_their_delivery_is_stale(spa) -> None:
    make_key(make_application(spa, name="Lost task app"), expires_at=in_days(5))
    first = expiry_alerts_scan(now=NOW)
    soon = expiry_alerts_scan(now=NOW + STALE_CLAIM_AFTER - dt.timedelta(minutes=1))
    assert soon.reclaimed == 0 and soon.batches == []
    later = expiry_alerts_scan(now=NOW + STALE_CLAIM_AFTER + dt.timedelta(minutes=1))
    assert later.reclaimed == 2
    assert later.batches[0].claim != first.batches[0].claim
