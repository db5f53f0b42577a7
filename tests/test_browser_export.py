"""A credential exporter downloads two apps' credentials from the list page, in Chromium."""

from __future__ import annotations

import json
import zipfile

import pytest

from apps_registry import roles
from apps_registry.models import Application
from tests.conftest import SCREENSHOTS, log_in
from tests.factories import make_application, make_key, make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_exporter_downloads_a_zip_of_two_apps(
    live_server, page, organization, scopes, actor, tmp_path
):
    exporter = make_user("erin", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])
    chosen = []
    for name in ("Front desk", "Webstore", "Not chosen"):
        application = make_application(organization, name=name, scopes=scopes, actor=actor)
        make_key(application, actor=actor)
        chosen.append(application)
    chosen = chosen[:2]

    log_in(page, live_server.url, exporter.username)
    page.goto(f"{live_server.url}/admin/apps_registry/application/")
    for application in chosen:
        page.check(f"input[name=_selected_action][value='{application.pk}']")
    page.select_option("select[name=action]", "export_credentials")
    page.click("button[name=index]")
    page.wait_for_selector("#export-form")
    page.check("input[name=format][value=json]")
    page.fill("input[name=password]", "operator-pass-1234")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "export-credentials.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("input[type=submit][value=Download]")
    archive_path = tmp_path / "export.zip"
    download_info.value.save_as(archive_path)

    archive = zipfile.ZipFile(archive_path)
    manifest = json.loads(archive.read("manifest.json"))
    assert {item["id"] for item in manifest["items"]} == {a.pk for a in chosen}
    for item in manifest["items"]:
        data = json.loads(archive.read(item["file"]))
        stored = Application.objects.get(pk=item["id"])
        assert data["application_id"] == stored.application_id
        assert data["secret"] == stored.secret
        assert [k["key"] for k in data["api_keys"]] == [stored.api_keys.get().key]
    assert len(archive.namelist()) == 3


@pytest.mark.django_db(transaction=True)
def test_the_export_page_searches_and_confirms_the_download(
    live_server, page, organization, scopes, actor, tmp_path
):
    exporter = make_user("erin", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])
    for name in ("Front desk", "Webstore", "Lobby kiosk"):
        make_application(organization, name=name, scopes=scopes, actor=actor)
    log_in(page, live_server.url, exporter.username)
    page.goto(f"{live_server.url}/admin/export/")
    page.fill("#export-search", "kiosk")
    items = page.locator(".export-choice label:has(input)")
    count = items.count()
    shown = [items.nth(i).inner_text().strip() for i in range(count) if items.nth(i).is_visible()]
    assert shown == ["Serenity Spa / Lobby kiosk"]
    page.check("label:has-text('Lobby kiosk') input")
    page.check("input[name=as_zip]")
    page.fill("input[name=password]", "operator-pass-1234")
    with page.expect_download() as download_info:
        page.click("input[type=submit][value=Download]")
    assert download_info.value.suggested_filename.endswith(".zip")
    page.wait_for_selector("[data-testid=export-done]:not([hidden])")
    done = page.inner_text("[data-testid=export-done]")
    assert "Exported Lobby kiosk" in done and "recorded in the audit log" in done
    assert page.input_value("input[name=password]") == ""
    page.screenshot(path=str(SCREENSHOTS / "export-done.png"), full_page=True)
