"""An operator's day in Chromium: a labelled key with a chosen lifetime, the keys list with its
filters and a bulk revoke, a second operator added in one step who then logs in, and an expiry
email for both issuers received by aiosmtpd and rendered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps_registry.alerts.manual import expiry_alerts_run
from apps_registry.models import ApiKey
from tests.conftest import SCREENSHOTS, log_in
from tests.factories import make_application, make_key, make_zenoti_application
from tests.support_zenoti import zenoti_key

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a-long-Pass-phrase-42"


@pytest.mark.django_db(transaction=True)
def test_labelled_key_then_keys_list_filters_and_bulk_revoke(
    live_server, page, operator, organization, scopes
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    old = make_key(app, expires_at=timezone.now() + dt.timedelta(days=5))
    log_in(page, live_server.url, operator.username)
    page.goto(f"{live_server.url}/admin/apps_registry/application/{app.pk}/keys/generate/")
    page.fill("#id_label", "Pilot kiosk")
    page.fill("#id_lifetime_days", "30")
    page.click("input[type=submit][value='Generate API key']")
    page.wait_for_selector("[data-testid=shown-api-key]")
    assert page.inner_text("[data-testid=shown-label]") == "Pilot kiosk"
    new = ApiKey.objects.get(label="Pilot kiosk")
    assert new.days_left() == 30

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/apps_registry/apikey/")
    page.click("#changelist-filter >> text=Within 7 days")
    page.wait_for_url("**expires=7**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and old.prefix in rows.first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "api-keys-1366.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/apps_registry/apikey/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "revoke_selected")
    page.click("button[name=index]")
    page.wait_for_selector("text=Revoking is permanent")
    page.click("input[type=submit][value='Revoke 2 key(s)']")
    page.wait_for_selector(".messagelist .success")
    assert ApiKey.objects.filter(revoked_at__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_superuser_adds_an_operator_who_logs_in(live_server, page, organization, admin_user):
    log_in(page, live_server.url, admin_user.username, "password")
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.fill("#id_username", "nadia")
    page.fill("#id_email", "nadia@serenity.test")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.select_option("#id_role", "Operator")
    page.check(f"input[name=organizations][value='{organization.pk}']")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    page.click("#logout-form button")
    log_in(page, live_server.url, "nadia", NEW_PASSWORD)
    page.goto(f"{live_server.url}/admin/apps_registry/application/add/")
    assert page.input_value("#id_organization") == str(organization.pk)


@pytest.mark.django_db(transaction=True)
def test_the_expiry_email_for_both_issuers_renders(page, spa, actor, fake_zenoti, smtp_server):
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    make_zenoti_application(spa, actor=actor, name="Zenoti kiosk", api_key=raw, days=6)
    make_key(
        make_application(spa, name="Glow Spa Booking"),
        expires_at=timezone.now() + dt.timedelta(days=6),
    )
    expiry_alerts_run(now=timezone.now())
    mail = smtp_server.by_recipient()["ops@serenity.test"][0]
    assert mail.message["Subject"] == "2 API keys expire within 6 days"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(mail.html)
        shown = page.inner_text("body")
        assert "Rotate it in Zenoti" in shown and "Record replacement key" in shown
        assert page.locator("a", has_text="Rotate").count() == 1  # the Keyport key's button
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(SCREENSHOTS / f"expiry-email-issuers-{width}.png"), full_page=True)
