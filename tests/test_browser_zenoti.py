"""An operator records a Zenoti app, checks it with Zenoti, records Zenoti's replacement key
from the key row and exports the .env (Chromium, the live server and the fake Zenoti)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps_registry import roles
from apps_registry.models import ApiKey, Application
from tests.conftest import SCREENSHOTS, log_in
from tests.export_support import parse_env
from tests.factories import make_user
from tests.support_zenoti import zenoti_key

pytestmark = pytest.mark.browser
WIDE, NARROW = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _shoot(page, name: str) -> None:
    """The page at 1366 px and at 390 px (a phone), for the README and for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1366", WIDE), ("390", NARROW)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"zenoti-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(WIDE)


@pytest.mark.django_db(transaction=True)
def test_operator_records_checks_replaces_and_exports_a_zenoti_app(
    live_server, page, organization, scopes, fake_zenoti, tmp_path
):
    user = make_user("zoe", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])
    first, second = zenoti_key(), zenoti_key()
    fake_zenoti.add_key(first)
    fake_zenoti.add_key(second)
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, user.username)

    page.goto(f"{live_server.url}/admin/apps_registry/application/add/")
    page.fill("#id_name", "Zenoti webstore")
    page.fill("#id_uri", "https://shop.example.com")
    page.check("input[name=login_user_type][value=guest]")
    page.select_option("#id_source_app", "external_webstore")
    page.check("input[name=auth_method][value=api_key]")
    page.locator("input[name=scopes]").first.check()
    page.check("input[name=credential_mode][value=record]")
    page.fill("#id_recorded_application_id", "0b6e7c9e-1f2a-4c3d-9e8f-7a6b5c4d3e2f")
    page.fill("#id_recorded_secret", "zenoti-app-secret-Hq3")
    page.fill("#id_recorded_api_key", first)
    expires = timezone.localdate() + dt.timedelta(days=10)
    page.fill("#id_recorded_api_key_expires_on", expires.isoformat())
    page.fill("#id_zenoti_account_name", "serenityspa")
    _shoot(page, "record-app-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    application = Application.objects.get(name="Zenoti webstore")
    assert application.issuer == "zenoti"
    page.goto(f"{live_server.url}/admin/apps_registry/application/")
    assert "Zenoti" in page.inner_text("#result_list td.field-issued_by")
    _shoot(page, "list")

    change_url = f"{live_server.url}/admin/apps_registry/application/{application.pk}/change/"
    page.goto(change_url)
    assert page.locator("text=Generate API key").count() == 0
    page.click("text=Check with Zenoti")
    _shoot(page, "check-confirm")
    page.click("input[type=submit][value='Check with Zenoti']")
    page.wait_for_selector(".messagelist .success")
    assert "Zenoti accepted the key" in page.inner_text(".messagelist")
    old = ApiKey.objects.get(application=application)
    assert old.zenoti_result == "passed"
    _shoot(page, "app-page")

    page.click("td.field-actions a:has-text('Record replacement key')")
    default = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    assert page.input_value("#id_expires_on") == default
    page.fill("#id_api_key", second)
    _shoot(page, "record-replacement")
    page.click("input[type=submit][value='Record replacement key']")
    page.wait_for_selector(".messagelist .success")
    new = ApiKey.objects.get(replaces=old)
    assert new.zenoti_result == "passed"
    html = page.content()
    assert first not in html and second not in html

    page.click("text=Export credentials")
    page.check("input[name=format][value=env]")
    page.fill("input[name=password]", "operator-pass-1234")
    with page.expect_download() as download_info:
        page.click("input[type=submit][value=Download]")
    exported = tmp_path / "zenoti.env"
    download_info.value.save_as(exported)
    values = parse_env(exported.read_text(), tmp_path)
    assert values["ZENOTI_API_KEY"] == second and values["ZENOTI_API_KEY_2"] == first
    assert values["ZENOTI_ACCOUNT_NAME"] == "serenityspa"
    assert values["ZENOTI_API_BASE_URL"] == fake_zenoti.url
    assert values["ZENOTI_APPLICATION_SECRET"] == "zenoti-app-secret-Hq3"
    assert not [name for name in values if name.startswith("KEYPORT_")]
