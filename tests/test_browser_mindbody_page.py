"""In Chromium at 1366 px: a connection's page shows the actions its state allows, and the
buttons never overlap the page's title."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.django_db(transaction=True)
def test_the_object_tools_never_overlap_the_title(live_server, page, exporter, issued_connection):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, exporter.username)
    page.goto(
        f"{live_server.url}/admin/connections/mindbodysiteconnection/{issued_connection.pk}/change/"
    )
    tools = page.locator("ul.object-tools li")
    labels = [(tools.nth(i).text_content() or "").strip() for i in range(tools.count())]
    assert "Renew token" in labels and "Revoke token" in labels
    assert "Get activation link" not in labels  # the sandbox needs no activation
    page.screenshot(path=str(SCREENSHOTS / "mindbody-actions-1366.png"), full_page=True)
    titles = [
        page.locator("#content h1").first.bounding_box(),
        page.locator("#content > h2").first.bounding_box(),
    ]
    for index in range(tools.count()):
        box = tools.nth(index).bounding_box()
        assert box is not None
        for title in titles:
            assert title is not None and not _overlap(box, title), labels[index]
