"""In Chromium: the test-alert button on an organization's page, and the expiry email it sends
(received by aiosmtpd) rendered at 1366 px and on a 390 px phone without sideways scrolling."""

from __future__ import annotations

import pytest

from apps_registry.roles import ORGANIZATION_ADMIN
from tests.conftest import SCREENSHOTS, log_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_test_alert_arrives_and_reads_well(live_server, page, spa, smtp_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The test alert belongs with the settings it checks: the Organization admin's.
    admin_user = make_user("olga", role=ORGANIZATION_ADMIN, organizations=[spa])
    log_in(page, live_server.url, admin_user.username)
    page.goto(f"{live_server.url}/admin/apps_registry/organization/{spa.pk}/change/")
    page.click("text=Send test alert")
    page.click("input[type=submit][value='Send test alert']")
    page.wait_for_selector(".messagelist .success")
    assert "Sent a test alert" in page.inner_text(".messagelist")

    mail = smtp_server.wait_for(2)[0]
    assert mail.message["Subject"] == "[Test] Sample app: API key expires in 7 days"
    for width, name in ((1366, "expiry-email-1366.png"), (390, "expiry-email-390.png")):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(mail.html)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, width
        shown = page.inner_text("body")
        assert "Sample app" in shown and "kp_SAMPLE00" in shown and "…0000" in shown
        assert "You get this email because you are on the alert recipients" in shown
        assert page.locator("a", has_text="Rotate").count() == 1
