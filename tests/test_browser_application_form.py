"""In Chromium: the add-application form shows record-only fields only when recording, selects
all or none of an API group, shows or hides a pasted secret, and puts a duplicate name's error
on the Name field (1366 px and a 390 px phone without sideways scrolling)."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS, log_in
from tests.factories import make_application

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_add_form_reveals_what_applies(live_server, page, operator, organization, scopes):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    make_application(organization, name="Glow Spa Booking", scopes=scopes)
    log_in(page, live_server.url, operator.username)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/apps_registry/application/add/")
    assert not page.is_visible("#id_recorded_secret")
    assert page.locator("#add_id_organization").count() == 0

    page.check("input[name=credential_mode][value=record]")
    assert page.is_visible("#id_recorded_secret") and page.is_visible("#id_zenoti_account_name")
    page.fill("#id_recorded_secret", "pasted-secret")
    secret = page.locator("#id_recorded_secret")
    assert secret.get_attribute("type") == "password"
    page.locator(".field-recorded_secret .reveal-toggle").click()
    assert secret.get_attribute("type") == "text"
    page.check("input[name=credential_mode][value=generate]")
    assert not page.is_visible("#id_recorded_secret")

    group = page.locator("#id_scopes > div").filter(has_text="guests.read")
    group.locator("button.scope-toggle", has_text="all").click()
    boxes = group.locator("input[type=checkbox]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    group.locator("button.scope-toggle", has_text="none").click()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))

    page.fill("#id_name", "Glow Spa Booking")
    page.fill("#id_uri", "https://booking.example.com")
    page.check("input[name=login_user_type][value=guest]")
    page.select_option("#id_source_app", "client_app")
    group.locator("button.scope-toggle", has_text="all").click()
    page.click("input[name=_save]")
    error = page.locator(".form-row.field-name .errorlist")
    assert "already has an application with this name" in error.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "add-application-errors-1366.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/apps_registry/application/add/")
    page.screenshot(path=str(SCREENSHOTS / "add-application-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
