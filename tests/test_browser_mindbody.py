"""An operator adds the sandbox site, issues a staff token, sees it verified and renewed
(Chromium against the live server and the fake Mindbody server on 127.0.0.1)."""

from __future__ import annotations

import pytest

from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import SITE_CHECKED_MESSAGE
from tests.conftest import SCREENSHOTS, log_in
from tests.support_mindbody import API_KEY, STAFF_PASSWORD, STAFF_USERNAME

pytestmark = pytest.mark.browser
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_operator_connects_the_sandbox_site(live_server, page, operator, fake_mindbody):
    log_in(page, live_server.url, operator.username)
    page.goto(f"{live_server.url}/admin/connections/mindbodysiteconnection/add/")
    organization_pk = str(operator.organizations.get().pk)
    assert page.input_value("#id_organization") == organization_pk  # preselected: the only one
    page.fill("#id_name", "Sandbox studio")
    page.fill("#id_site_id", "-99")
    page.fill("#id_api_key", API_KEY)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    assert SITE_CHECKED_MESSAGE.format(count=2) in page.inner_text(".messagelist")

    connection = MindbodySiteConnection.objects.get(name="Sandbox studio")
    assert connection.status == ConnectionStatus.PENDING
    assert connection.location_count == 2
    change_url = (
        f"{live_server.url}/admin/connections/mindbodysiteconnection/{connection.pk}/change/"
    )
    page.goto(change_url)
    assert API_KEY not in page.content()

    page.click("text=Issue staff token")
    page.fill("input[name=username]", STAFF_USERNAME)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("input[type=submit][value='Issue token']")
    page.wait_for_load_state()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.last_verified_at is not None
    first_expiry = connection.token_expires_at

    page.goto(change_url)
    page.click("text=Renew token")
    page.click("input[type=submit][value='Renew token']")
    page.wait_for_load_state()
    connection.refresh_from_db()
    assert connection.token_renewals == 1
    assert connection.token_expires_at > first_expiry

    page.set_viewport_size(DESKTOP)
    page.goto(change_url)
    html = page.content()
    assert connection.staff_user_token not in html and API_KEY not in html
    assert STAFF_PASSWORD not in html
    assert "Staff, ID 100000001" in page.inner_text("fieldset:has-text('Staff token')")
    calls = page.inner_text("fieldset:has-text('Calls to Mindbody')")
    assert "of 1,000 calls" in calls and "busiest day" in calls
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mindbody-connection.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(change_url)
    page.click("text=Calls per day")  # the 30-day table opens inside its box
    page.screenshot(path=str(SCREENSHOTS / "mindbody-connection-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
