"""The one home of the key rules (apps_registry.models.keys): days left, the expiring window,
usable and alert-eligible keys, and revocation that no save can undo."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.models import ApiKey
from apps_registry.models.keys import (
    EXPIRING_WITHIN_DAYS,
    UNREVOKE_MESSAGE,
    days_until,
    expiring_horizon,
)
from tests.factories import make_application, make_key
from tests.support_alerts import NOW, in_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("left", "days"),
    [
        (dt.timedelta(days=365), 365),
        (dt.timedelta(days=364, hours=23, minutes=59), 365),
        (dt.timedelta(hours=1), 1),
        (dt.timedelta(seconds=1), 1),
        (dt.timedelta(0), 0),
        (dt.timedelta(hours=-12), 0),
        (dt.timedelta(days=-2, hours=-12), -2),
    ],
)
def test_days_left_is_the_remaining_time_rounded_up(left: dt.timedelta, days: int) -> None:
    assert days_until(NOW + left, NOW) == days


def test_a_new_key_shows_its_whole_lifetime_and_a_revoked_key_none(organization, actor) -> None:
    application = make_application(organization, name="Front desk")
    key, _ = services.api_key_generate(application=application, actor=actor, now=NOW)
    assert key.days_left(NOW + dt.timedelta(seconds=5)) == 365
    services.api_key_revoke(api_key=key, actor=actor, now=NOW)
    key.refresh_from_db()
    assert key.days_left(NOW) is None


def test_admin_list_and_dashboard_show_365_days_for_a_fresh_key(
    operator_client, organization, actor
) -> None:
    application = make_application(organization, name="Front desk")
    organization.api_key_lifetime_days = 20
    organization.save()
    services.api_key_generate(application=application, actor=actor)
    listing = operator_client.get(reverse("admin:apps_registry_application_changelist"))
    assert "(20 days left)" in listing.content.decode()
    index = operator_client.get(reverse("admin:index")).content.decode()
    assert "<td>20</td>" in index


def test_expiring_window_is_shared_by_status_and_queryset(organization) -> None:
    application = make_application(organization, name="Front desk")
    inside = make_key(application, expires_at=in_days(EXPIRING_WITHIN_DAYS))
    outside = make_key(application, expires_at=in_days(EXPIRING_WITHIN_DAYS, NOW) + dt.timedelta(1))
    expired = make_key(application, expires_at=in_days(-1))
    assert expiring_horizon(NOW) == inside.expires_at
    assert [k.status(NOW).value for k in (inside, outside, expired)] == [
        "expiring",
        "active",
        "expired",
    ]
    assert list(ApiKey.objects.expiring(NOW)) == [inside]
    assert set(ApiKey.objects.usable(NOW)) == {inside, outside}


def test_alert_eligible_leaves_out_revoked_rotated_inactive_and_silenced(organization) -> None:
    actor = Actor.system()
    application = make_application(organization, name="Front desk")
    keep = make_key(application, expires_at=in_days(5))
    revoked = make_key(application, expires_at=in_days(5))
    services.api_key_revoke(api_key=revoked, actor=actor, now=NOW)
    rotated = make_key(application, expires_at=in_days(5))
    services.api_key_rotate(api_key=rotated, actor=actor, now=NOW)
    rotated.refresh_from_db()
    assert set(ApiKey.objects.alert_eligible()) == {keep, rotated.replaced_by}
    application.is_active = False
    application.save()
    assert not ApiKey.objects.alert_eligible().exists()
    application.is_active = True
    application.save()
    organization.alerts_enabled = False
    organization.save()
    assert not ApiKey.objects.alert_eligible().exists()


def test_revocation_cannot_be_undone_by_saving_the_model(organization, actor) -> None:
    application = make_application(organization, name="Front desk")
    key, raw_key = services.api_key_generate(application=application, actor=actor, now=NOW)
    stale = ApiKey.objects.get(pk=key.pk)  # loaded before the revocation
    services.api_key_revoke(api_key=key, actor=actor, now=NOW)
    for candidate in (stale, ApiKey.objects.get(pk=key.pk)):
        candidate.revoked_at = None
        with pytest.raises(ValidationError, match=UNREVOKE_MESSAGE):
            candidate.full_clean()
        with pytest.raises(ValidationError, match=UNREVOKE_MESSAGE):
            candidate.save()
        with pytest.raises(ValidationError, match=UNREVOKE_MESSAGE):
            candidate.save(update_fields=["revoked_at"])
    assert ApiKey.objects.get(pk=key.pk).revoked_at == NOW
    assert services.api_key_verify(raw_key, now=NOW).code == "REVOKED"


def test_a_revoked_key_may_still_be_saved_without_touching_revoked_at(organization, actor) -> None:
    application = make_application(organization, name="Front desk")
    key, _ = services.api_key_generate(application=application, actor=actor, now=NOW)
    stale = ApiKey.objects.get(pk=key.pk)  # revoked_at is None in memory
    services.api_key_revoke(api_key=key, actor=actor, now=NOW)
    stale.last_used_at = NOW
    stale.save(update_fields=["last_used_at"])
    stale.refresh_from_db()
    assert stale.revoked_at == NOW and stale.last_used_at == NOW


def test_the_key_list_of_an_app_shows_no_days_left_for_a_revoked_key(
    operator_client, organization, actor
) -> None:
    application = make_application(organization, name="Front desk")
    services.api_key_generate(application=application, actor=actor)
    gone, _ = services.api_key_generate(application=application, actor=actor)
    services.api_key_revoke(api_key=gone, actor=actor)
    change = reverse("admin:apps_registry_application_change", args=[application.pk])
    html = operator_client.get(change).content.decode()
    cells = re.findall(r'<td class="field-days_left">\s*<p>(.*?)</p>', html)
    assert sorted(cells) == ["365", "—"] and "None" not in cells
