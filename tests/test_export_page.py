"""The export page: an explicit ZIP choice, a search box over the items, and a confirmation of
what was exported once the download started (a cookie the page reads; never a secret)."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import unquote

from django.urls import reverse

from apps_registry.models import AuditEvent
from apps_registry.views.export import EXPORTED_COOKIE, EXPORTED_MESSAGE
from tests.conftest import OPERATOR_PASSWORD
from tests.factories import make_application, make_key

EXPORT_URL = reverse("credentials_export")


def test_one_item_as_a_zip_holds_its_file_and_a_manifest(exporter_client, organization, scopes):
    app = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    make_key(app)
    response = exporter_client.post(
        EXPORT_URL,
        {"app": [app.pk], "format": "env", "as_zip": "on", "password": OPERATOR_PASSWORD},
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted([f"app-{app.pk}-glow-spa-booking.env", "manifest.json"])
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "env"


def test_the_download_confirms_what_was_exported_without_a_secret(
    exporter_client, organization, scopes
):
    app = make_application(organization, name="Glow Spa Booking", scopes=scopes)
    response = exporter_client.post(
        EXPORT_URL, {"app": [app.pk], "format": "json", "password": OPERATOR_PASSWORD}
    )
    cookie = response.cookies[EXPORTED_COOKIE]
    text = unquote(cookie.value)
    assert text == EXPORTED_MESSAGE.format(
        names="Glow Spa Booking", filename=f"app-{app.pk}-glow-spa-booking.json"
    )
    assert app.secret not in text and cookie["samesite"] == "Strict"
    assert cookie["path"] == EXPORT_URL and not cookie["httponly"]
    event = AuditEvent.objects.get(action="export")
    assert event.details["items"][0]["name"] == "Glow Spa Booking"


def test_the_page_offers_zip_and_a_search_box(exporter_client, organization, scopes):
    make_application(organization, name="Glow Spa Booking", scopes=scopes)
    page = exporter_client.get(EXPORT_URL).content.decode()
    assert 'name="as_zip"' in page and 'id="export-search"' in page
    assert "export_page.js" in page and 'id="export-done"' in page
