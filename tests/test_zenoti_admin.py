"""The admin for Zenoti-issued apps: issuer column and filter, Record key, Record
replacement key, Check with Zenoti, Mark as revoked, and no Generate or Rotate."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps_registry.admin.key_views import MARKED_REVOKED
from apps_registry.admin.zenoti_views import NO_KEYS_TO_CHECK
from apps_registry.models import ApiKey, Application
from apps_registry.models.applications import ZENOTI_ACCOUNT_NAME_REQUIRED
from apps_registry.services import ZENOTI_ISSUES_KEYS_MESSAGE
from apps_registry.zenoti_forms import RECORD_KEY_EXPIRY_PAST
from tests.factories import make_application, make_zenoti_application
from tests.fake_zenoti import UNKNOWN_KEY_MESSAGE, UPPER_MESSAGE
from tests.support_zenoti import only_key, zenoti_key
from tests.test_admin_applications import ADD_URL, LIST_URL, _form_data


def _url(name: str, *args: object) -> str:
    return reverse(f"admin:apps_registry_application_{name}", args=args)


@pytest.fixture
def zenoti_app(organization, actor, fake_zenoti):
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    application = make_zenoti_application(organization, actor=actor, api_key=raw)
    application.raw_key = raw
    return application


def _text(response) -> str:
    """The page as a reader sees it: entities decoded, runs of whitespace as one space."""
    return re.sub(r"\s+", " ", html_lib.unescape(response.content.decode()))


def test_the_list_shows_and_filters_by_issuer(operator_client, organization, zenoti_app) -> None:
    make_application(organization, name="Own app")
    html = _text(operator_client.get(LIST_URL))
    assert "Issued by Zenoti" in html and "Issued by Keyport" in html and "By Issuer" in html
    cells = re.findall(r'<td class="field-issued_by">(\w+)</td>', html)
    assert sorted(cells) == ["Keyport", "Zenoti"]
    only_zenoti = operator_client.get(LIST_URL, {"credential_origin__exact": "recorded"})
    names = [obj.name for obj in only_zenoti.context["cl"].result_list]
    assert names == [zenoti_app.name]


def test_recording_from_the_add_form_asks_for_the_account_name(
    operator_client, organization, scopes, fake_zenoti
) -> None:
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    data = _form_data(
        organization,
        scopes,
        credential_mode="record",
        recorded_application_id="0b6e7c9e-1f2a-4c3d-9e8f-7a6b5c4d3e2f",
        recorded_secret="zenoti-secret-Qx7",
        recorded_api_key=raw,
        recorded_api_key_expires_on=(timezone.localdate() + dt.timedelta(days=200)).isoformat(),
    )
    refused = operator_client.post(ADD_URL, data)
    assert ZENOTI_ACCOUNT_NAME_REQUIRED in _text(refused)
    assert not Application.objects.exists()
    done = operator_client.post(ADD_URL, data | {"zenoti_account_name": "serenityspa"}, follow=True)
    application = Application.objects.get()
    assert application.issuer == "zenoti" and application.zenoti_account_name == "serenityspa"
    key = only_key(application)
    assert key.zenoti_result == "passed"
    html = _text(done)
    assert raw not in html and "zenoti-secret-Qx7" not in html


def test_the_app_page_offers_zenoti_actions_only(operator_client, zenoti_app) -> None:
    key = only_key(zenoti_app)
    html = _text(operator_client.get(_url("change", zenoti_app.pk)))
    assert "Check with Zenoti" in html and "Generate API key" not in html
    assert "Record replacement key" in html and "Mark as revoked" in html
    assert ">Rotate<" not in html
    assert _url("key_record_replacement", zenoti_app.pk, key.pk) in html
    assert "Accepted by Zenoti" in html and "Last checked" in html
    assert "Rotate it in Zenoti (Configuration → Apps → Credentials → Rotate)" in html
    assert "It was recorded from Zenoti" in html and "shown once" not in html
    assert zenoti_app.raw_key not in html and zenoti_app.secret not in html


def test_generate_and_rotate_pages_send_the_operator_to_zenoti(operator_client, zenoti_app) -> None:
    key = only_key(zenoti_app)
    for url in (_url("key_generate", zenoti_app.pk), _url("key_rotate", zenoti_app.pk, key.pk)):
        response = operator_client.post(url, follow=True)
        assert ZENOTI_ISSUES_KEYS_MESSAGE in _text(response)
    assert list(ApiKey.objects.values_list("pk", flat=True)) == [key.pk]


def test_record_replacement_key_from_the_key_page(operator_client, zenoti_app, fake_zenoti) -> None:
    old = only_key(zenoti_app)
    url = _url("key_record_replacement", zenoti_app.pk, old.pk)
    page = _text(operator_client.get(url))
    default = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    assert f'value="{default}"' in page
    assert "Rotate it in Zenoti (Configuration → Apps → Credentials → Rotate)" in page
    past = operator_client.post(url, {"api_key": zenoti_key(), "expires_on": "2020-01-01"})
    assert RECORD_KEY_EXPIRY_PAST in _text(past)

    new_raw = zenoti_key()
    fake_zenoti.add_key(new_raw)
    done = operator_client.post(url, {"api_key": new_raw, "expires_on": default}, follow=True)
    old.refresh_from_db()
    new = ApiKey.objects.get(replaces=old)
    assert new.key == new_raw and new.zenoti_result == "passed"
    html = _text(done)
    assert f"Key {new.prefix} is recorded." in html and new_raw not in html


def test_a_refused_replacement_is_kept_and_says_why(operator_client, zenoti_app) -> None:
    old = only_key(zenoti_app)
    url = _url("key_record_replacement", zenoti_app.pk, old.pk)
    expires = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    done = operator_client.post(url, {"api_key": zenoti_key(), "expires_on": expires}, follow=True)
    assert UNKNOWN_KEY_MESSAGE in _text(done)
    assert ApiKey.objects.get(replaces=old).zenoti_result == "refused"


def test_record_key_for_an_app_without_one(operator_client, organization, actor, fake_zenoti):
    application = make_zenoti_application(organization, actor=actor)
    html = _text(operator_client.get(_url("change", application.pk)))
    assert _url("key_record", application.pk) in html and "Check with Zenoti" not in html
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    expires = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    operator_client.post(
        _url("key_record", application.pk), {"api_key": raw, "expires_on": expires}
    )
    assert only_key(application).key == raw


def test_check_with_zenoti_button_records_the_answer(operator_client, zenoti_app, fake_zenoti):
    key = only_key(zenoti_app)
    url = _url("zenoti_check", zenoti_app.pk)
    assert "GET /v1/centers" in _text(operator_client.get(url))
    fake_zenoti.turn_off(zenoti_app.raw_key, shape="upper")
    response = operator_client.post(url, follow=True)
    html = _text(response)
    assert UPPER_MESSAGE in html
    key.refresh_from_db()
    assert key.zenoti_result == "refused" and UPPER_MESSAGE in key.zenoti_message
    assert "Refused by Zenoti" in html


def test_check_needs_a_usable_key(operator_client, organization, actor, fake_zenoti) -> None:
    application = make_zenoti_application(organization, actor=actor)
    response = operator_client.post(_url("zenoti_check", application.pk), follow=True)
    assert NO_KEYS_TO_CHECK in _text(response)


def test_mark_as_revoked_says_to_revoke_in_zenoti_too(operator_client, zenoti_app) -> None:
    key = only_key(zenoti_app)
    url = _url("key_revoke", zenoti_app.pk, key.pk)
    page = _text(operator_client.get(url))
    assert "Mark as revoked" in page and "revoke it in Zenoti too" in page
    done = _text(operator_client.post(url, follow=True))
    assert MARKED_REVOKED.format(prefix=key.prefix) in done
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_editing_an_app_recorded_without_account_name_asks_for_it(
    operator_client, zenoti_app, scopes
) -> None:
    Application.objects.filter(pk=zenoti_app.pk).update(zenoti_account_name="")
    data = _form_data(zenoti_app.organization, scopes, name=zenoti_app.name)
    data.pop("credential_mode")
    data |= {
        "api_keys-TOTAL_FORMS": "1",
        "api_keys-INITIAL_FORMS": "1",
        "api_keys-MIN_NUM_FORMS": "0",
        "api_keys-MAX_NUM_FORMS": "0",
        "api_keys-0-id": only_key(zenoti_app).pk,
        "api_keys-0-application": zenoti_app.pk,
        "zenoti_api_base_url": "",
    }
    response = operator_client.post(_url("change", zenoti_app.pk), data)
    assert ZENOTI_ACCOUNT_NAME_REQUIRED in _text(response)
    saved = operator_client.post(
        _url("change", zenoti_app.pk), data | {"zenoti_account_name": "serenity"}
    )
    assert saved.status_code == 302
    assert Application.objects.get(pk=zenoti_app.pk).zenoti_account_name == "serenity"


def test_keyport_issued_apps_have_no_record_pages(operator_client, organization) -> None:
    own = make_application(organization, name="Own app")
    assert operator_client.get(_url("key_record", own.pk)).status_code == 404
    assert operator_client.get(_url("zenoti_check", own.pk)).status_code == 404
    html = _text(operator_client.get(_url("change", own.pk)))
    assert "Generate API key" in html and "Check with Zenoti" not in html


def test_the_dashboard_sends_expiring_zenoti_keys_to_record_replacement(
    operator_client, organization, actor, fake_zenoti
) -> None:
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    application = make_zenoti_application(organization, actor=actor, api_key=raw, days=5)
    key = only_key(application)
    html = _text(operator_client.get(reverse("admin:index")))
    assert _url("key_record_replacement", application.pk, key.pk) in html
    assert _url("key_rotate", application.pk, key.pk) not in html
