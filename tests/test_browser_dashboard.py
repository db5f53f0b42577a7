"""The dashboard chart renders in a real browser (and the README shows this screenshot)."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS, log_in
from tests.factories import make_application, make_key

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_dashboard_chart_is_visible(live_server, page, operator, organization, scopes, actor):
    for number, days in enumerate([3, 5, 9, 12, 12, 20, 26, 33, 40, 40, 41, 55, 61, 70, 76, 82]):
        organization.api_key_lifetime_days = days
        organization.save()
        application = make_application(
            organization, name=f"Integration {number:02d}", scopes=scopes, actor=actor
        )
        make_key(application, actor=actor)
    log_in(page, live_server.url, operator.username)
    chart = page.locator("svg.keyport-chart")
    chart.wait_for()
    assert chart.bounding_box()["width"] > 300
    assert page.locator("svg.keyport-chart rect.bar").count() == 12
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
