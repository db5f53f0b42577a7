"""Exporting Mindbody connections through the same page and command as apps."""

from __future__ import annotations

import io
import json
import re
import zipfile

from django.core.management import call_command
from django.urls import reverse

from connections.models import MindbodySiteConnection
from tests.conftest import OPERATOR_PASSWORD
from tests.export_support import parse_env
from tests.factories import make_application, make_connection
from tests.support_mindbody import API_KEY

EXPORT_URL = reverse("credentials_export")


def test_site_env_round_trips(exporter_client, issued_connection, tmp_path):
    response = exporter_client.post(
        EXPORT_URL, {"site": [issued_connection.pk], "format": "env", "password": OPERATOR_PASSWORD}
    )
    assert response.status_code == 200
    stored = MindbodySiteConnection.objects.get(pk=issued_connection.pk)
    assert parse_env(response.content.decode(), tmp_path) == {
        "MINDBODY_CONNECTION_NAME": stored.name,
        "MINDBODY_SITE_ID": "-99",
        "MINDBODY_API_KEY": stored.api_key,
        "MINDBODY_STAFF_TOKEN": stored.staff_user_token,
        "MINDBODY_STAFF_TOKEN_EXPIRES_AT": stored.token_expires_at.isoformat(),
    }


def test_apps_and_sites_together_make_one_zip(
    exporter_client, issued_connection, organization, scopes, actor
):
    application = make_application(organization, name="Booking", scopes=scopes, actor=actor)
    response = exporter_client.post(
        EXPORT_URL,
        {
            "app": [application.pk],
            "site": [issued_connection.pk],
            "format": "json",
            "password": OPERATOR_PASSWORD,
        },
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(item["type"] for item in manifest["items"]) == ["app", "site"]
    site_file = next(i["file"] for i in manifest["items"] if i["type"] == "site")
    data = json.loads(archive.read(site_file))
    assert data["staff_user_token"] == MindbodySiteConnection.objects.get().staff_user_token
    assert issued_connection.api_key not in archive.read("manifest.json").decode()


def test_command_exports_a_site(issued_connection, tmp_path):
    output = tmp_path / "site.json"
    call_command(
        "export_credentials",
        "--site",
        str(issued_connection.pk),
        "--format",
        "json",
        "--output",
        str(output),
    )
    assert json.loads(output.read_text())["api_key"] == issued_connection.api_key


def test_connection_list_action_leads_to_the_export(exporter_client, sandbox_connection):
    response = exporter_client.post(
        reverse("admin:connections_mindbodysiteconnection_changelist"),
        {"action": "export_credentials", "_selected_action": [sandbox_connection.pk]},
    )
    assert response["Location"] == f"{EXPORT_URL}?site={sandbox_connection.pk}"


def test_dashboard_counts_failing_sites(
    operator_client, organization, other_organization, fake_mindbody
):
    """Failing and token-expired sites count; a healthy one and another org's do not."""
    statuses = ("failing", "token_expired", "active", "pending")
    for number, status in enumerate(statuses):
        site = make_connection(organization, name=f"Site {number}", api_key=API_KEY)
        MindbodySiteConnection.objects.filter(pk=site.pk).update(status=status)
    rival = make_connection(other_organization, name="Rival", api_key=API_KEY)
    MindbodySiteConnection.objects.filter(pk=rival.pk).update(status="failing")
    html = operator_client.get(reverse("admin:index")).content.decode()
    row = re.search(r"<th scope=\"row\">Serenity Spa</th>(.*?)</tr>", html, re.S).group(1)
    labels = re.findall(r'<th scope="col">([^<]+)</th>', html)
    values = dict(zip(labels[1:], re.findall(r">(\d+)<", row), strict=False))
    assert values["Failing Mindbody sites"] == "2"
