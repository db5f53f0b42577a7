"""In a real browser: an operator creates a verifier token (shown once), a gateway verifies a
key with it, the key's Revoke page says it is in use, the API keys list shows last use, and
staff read the interactive API docs (Swagger UI under Keyport's content security policy)."""

from __future__ import annotations

import pytest
import requests

from apps_registry.models import ApiKey
from tests.conftest import SCREENSHOTS, log_in
from tests.support_verify import VERIFY_URL, issue

pytestmark = pytest.mark.browser
WIDTHS = (1366, 390)


def _shots(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_operator_creates_a_verifier_and_sees_the_key_in_use(
    live_server, page, operator, organization, scopes, actor
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    issued = issue(organization, scopes, actor)
    log_in(page, live_server.url, operator.username)

    page.goto(f"{live_server.url}/admin/apps_registry/verifiertoken/add/")
    page.fill("#id_name", "Booking gateway")
    page.click("input[name=_save]")
    page.wait_for_selector("[data-testid=shown-verifier-token]")
    token = page.inner_text("[data-testid=shown-verifier-token]").strip()
    _shots(page, "verifier-token-shown")

    answer = requests.post(
        live_server.url + VERIFY_URL,
        json={"key": issued.raw_key, "scopes": [scopes[0].code]},
        headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["code"] == "VALID"

    key = ApiKey.objects.get(pk=issued.key_id)
    page.goto(
        f"{live_server.url}/admin/apps_registry/application/"
        f"{issued.application.pk}/keys/{key.pk}/revoke/"
    )
    assert "a deployment still depends on it" in page.inner_text("[data-testid=last-use]")
    _shots(page, "key-revoke-last-use")

    page.goto(f"{live_server.url}/admin/apps_registry/apikey/")
    row = page.locator("tr", has_text=key.prefix)
    assert f"{key.expires_at:%Y}" in row.inner_text() and "never" not in row.inner_text()
    _shots(page, "api-keys-last-used")

    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("/api/v1/keys/verify").first.wait_for()
    _shots(page, "api-docs")
