"""Exporting Mindbody connections through the same page and command as apps."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps_registry import roles
from connections.models import MindbodySiteConnection
from tests.conftest import OPERATOR_PASSWORD
from tests.export_support import parse_env, user_in_role
from tests.factories import make_application

EXPORT_URL = reverse("credentials_export")


@pytest.fixture
def exporter_client(organization):
    client = Client()
    client.force_login(user_in_role("erin", roles.CREDENTIAL_EXPORTER, [organization]))
    return client


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


def test_dashboard_counts_failing_sites(admin_client, sandbox_connection):
    MindbodySiteConnection.objects.filter(pk=sandbox_connection.pk).update(status="failing")
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Failing Mindbody sites" in html
