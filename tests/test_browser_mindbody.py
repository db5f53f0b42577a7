"""An operator adds the sandbox site, issues a staff token, sees it verified and renewed
(Chromium against the live server and the fake Mindbody server on 127.0.0.1)."""

from __future__ import annotations

import pytest

from connections.models import ConnectionStatus, MindbodySiteConnection
from tests.conftest import SCREENSHOTS, log_in
from tests.support_mindbody import API_KEY, STAFF_PASSWORD, STAFF_USERNAME

pytestmark = pytest.mark.browser


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

    connection = MindbodySiteConnection.objects.get(name="Sandbox studio")
    assert connection.status == ConnectionStatus.PENDING
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

    page.goto(change_url)
    html = page.content()
    assert connection.staff_user_token not in html and API_KEY not in html
    assert STAFF_PASSWORD not in html
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mindbody-connection.png"), full_page=True)
