"""A real browser registers an app and a key (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import pytest

from apps_registry import services
from apps_registry.models import Application
from tests.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_operator_registers_app_and_key_in_the_browser(live_server, page, operator):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, operator.username)

    page.goto(f"{live_server.url}/admin/apps_registry/application/add/")
    assert page.input_value("#id_organization") == str(operator.organizations.get().pk)
    page.fill("#id_name", "Lobby kiosk")
    page.fill("#id_uri", "https://kiosk.example.com")
    page.fill("#id_description", "Check-in kiosk in the lobby")
    page.check("input[name=login_user_type][value=guest]")
    page.select_option("#id_source_app", "client_app")
    page.check("input[name=auth_method][value=api_key]")
    scope_boxes = page.locator("input[name=scopes]")
    for index in range(3):
        scope_boxes.nth(index).check()
    page.fill("#id_post_login_urls-0-url", "https://kiosk.example.com/signed-in")
    page.fill("#id_post_logout_urls-0-url", "https://kiosk.example.com/signed-out")
    page.screenshot(path=str(SCREENSHOTS / "register-app-form.png"), full_page=True)
    page.click("input[name=_save]")

    page.wait_for_selector("[data-testid=shown-secret]")
    shown_secret = page.inner_text("[data-testid=shown-secret]").strip()
    page.screenshot(path=str(SCREENSHOTS / "show-once-secret.png"))
    application = Application.objects.get(name="Lobby kiosk")
    assert shown_secret == application.secret
    assert application.scopes.count() == 3
    assert application.redirect_urls.count() == 2

    page.click("text=I have copied them")
    page.click("text=Generate API key")
    page.click("input[type=submit][value='Generate API key']")
    page.wait_for_selector("[data-testid=shown-api-key]")
    shown_key = page.inner_text("[data-testid=shown-api-key]").strip()
    verified = services.api_key_verify(shown_key)
    assert verified.valid and verified.application["application_id"] == application.application_id

    page.reload()
    assert shown_key not in page.content()
    page.goto(f"{live_server.url}/admin/apps_registry/application/{application.pk}/change/")
    assert verified.key["prefix"] in page.content() and shown_key not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "application-keys.png"), full_page=True)
