"""In Chromium: `/` leads to the admin login, and the show-once page fits a 390 px phone."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS, log_in
from tests.factories import make_application

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_root_leads_to_the_admin_login(live_server, page):
    response = page.goto(f"{live_server.url}/")
    assert response is not None and response.ok
    assert page.url.startswith(f"{live_server.url}/admin/login/")
    assert page.locator("link[rel=icon]").count() == 1


@pytest.mark.django_db(transaction=True)
def test_show_once_key_page_fits_a_phone(live_server, page, operator, organization, scopes):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    application = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, operator.username)
    page.goto(f"{live_server.url}/admin/apps_registry/application/{application.pk}/change/")
    page.click("text=Generate API key")
    page.click("input[type=submit][value='Generate API key']")
    shown = page.wait_for_selector("[data-testid=shown-api-key]")
    assert shown is not None and shown.inner_text().startswith("kp_")
    page.screenshot(path=str(SCREENSHOTS / "show-once-phone.png"), full_page=True)
    assert _horizontal_overflow(page) == 0
    # A key has no break opportunity when it holds no "-": the layout must hold for that too.
    shown.evaluate("element => { element.textContent = 'kp_' + 'x'.repeat(80); }")
    assert _horizontal_overflow(page) == 0
    copy_button = page.locator("button.copy-button").nth(1).bounding_box()
    assert copy_button is not None and copy_button["x"] + copy_button["width"] <= PHONE["width"]
