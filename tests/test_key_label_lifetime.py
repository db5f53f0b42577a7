"""Per key: a label and a chosen lifetime when generating, the exact dates on the confirmation
pages, and the last four characters kept beside the ciphertext for matching Zenoti's screen."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.models import ApiKey, AuditEvent
from apps_registry.services.keys import LIFETIME_RANGE_MESSAGE, KeyStateError
from tests.factories import make_application, make_key


@pytest.fixture
def application(organization, scopes):
    return make_application(organization, name="Glow Spa Booking", scopes=scopes)


def _generate_url(application) -> str:
    return reverse("admin:apps_registry_application_key_generate", args=[application.pk])


def test_the_generate_page_asks_for_a_label_and_a_lifetime(operator_client, application) -> None:
    page = unescape(operator_client.get(_generate_url(application)).content.decode())
    assert 'name="label"' in page and 'name="lifetime_days"' in page
    assert 'value="365"' in page and "At most 365 days" in page
    longest = timezone.now() + dt.timedelta(days=365)
    assert f"the key expires on {longest:%Y-%m-%d}" in page


def test_a_labelled_key_with_a_short_lifetime(operator_client, application) -> None:
    response = operator_client.post(
        _generate_url(application), {"label": "Pilot kiosk", "lifetime_days": "30"}, follow=True
    )
    page = response.content.decode()
    key = ApiKey.objects.get(application=application)
    assert key.label == "Pilot kiosk" and "Pilot kiosk" in page
    assert key.days_left() == 30
    assert key.last_four == key.key[-4:]
    assert AuditEvent.objects.get(action="api_key_generate").details["label"] == "Pilot kiosk"
    listing = operator_client.get(reverse("admin:apps_registry_apikey_changelist") + "?q=Pilot")
    assert key.prefix in listing.content.decode()


def test_a_lifetime_over_the_organizations_is_refused_on_the_field(
    operator_client, application
) -> None:
    response = operator_client.post(_generate_url(application), {"lifetime_days": "400"})
    assert response.status_code == 200
    assert LIFETIME_RANGE_MESSAGE.format(maximum=365) in unescape(response.content.decode())
    assert not ApiKey.objects.filter(application=application).exists()


def test_the_service_refuses_a_lifetime_out_of_range(application) -> None:
    for days in (0, 366):
        with pytest.raises(KeyStateError, match="from 1 to 365 days"):
            services.api_key_generate(
                application=application, actor=Actor.system(), lifetime_days=days
            )


def test_the_rotate_page_states_the_new_expiry_and_the_grace_end(
    operator_client, application
) -> None:
    key = make_key(application)
    key.label = "Front desk"
    key.save(update_fields=["label"])
    url = reverse("admin:apps_registry_application_key_rotate", args=[application.pk, key.pk])
    page = unescape(operator_client.get(url).content.decode())
    now = timezone.now()
    assert f"The new key will expire on {now + dt.timedelta(days=365):%Y-%m-%d}" in page
    grace_end = now + dt.timedelta(days=7)
    assert f"keeps working until {grace_end:%Y-%m-%d}" in page and "7-day grace period" in page

    operator_client.post(url)
    replacement = ApiKey.objects.get(application=application, replaced_by__isnull=True)
    assert replacement.pk != key.pk and replacement.label == "Front desk"


def test_the_revoke_page_says_the_key_stops_now(operator_client, application) -> None:
    key = make_key(application)
    url = reverse("admin:apps_registry_application_key_revoke", args=[application.pk, key.pk])
    page = unescape(operator_client.get(url).content.decode())
    assert f"Key {key.prefix} stops working now" in page
