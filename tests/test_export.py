"""The export page: formats round-trip, refusals, audit before download, rate limit."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps_registry import roles, services
from apps_registry.models import Application, AuditEvent
from apps_registry.views.export import (
    RATE_LIMIT_PER_HOUR,
    RATE_LIMITED_MESSAGE,
    WRONG_PASSWORD_MESSAGE,
)
from tests.conftest import OPERATOR_PASSWORD
from tests.export_support import parse_env
from tests.factories import make_application, make_key, make_user

EXPORT_URL = reverse("credentials_export")


@pytest.fixture
def app_with_keys(organization, scopes, actor):
    application = make_application(
        organization, name='Spa "booking" $HOME', scopes=scopes, actor=actor
    )
    old = make_key(application, actor=actor)
    services.api_key_rotate(api_key=old, actor=actor)
    return Application.objects.get(pk=application.pk)


def _secrets_of(application: Application) -> list[str]:
    return [application.secret, *(k.key for k in application.api_keys.all())]


def _export(client, fmt="env", password=OPERATOR_PASSWORD, **ids):
    data = {"format": fmt, "password": password, **ids}
    return client.post(EXPORT_URL, data)


def test_env_export_round_trips_to_the_stored_values(exporter_client, app_with_keys, tmp_path):
    response = _export(exporter_client, app=[app_with_keys.pk])
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="app-{app_with_keys.pk}-spa-booking-home.env"'
    )
    assert "no-store" in response["Cache-Control"]
    values = parse_env(response.content.decode(), tmp_path)
    newest, older = app_with_keys.api_keys.order_by("-created_at")
    assert values == {
        "KEYPORT_APP_NAME": 'Spa "booking" $HOME',
        "KEYPORT_APPLICATION_ID": app_with_keys.application_id,
        "KEYPORT_APPLICATION_SECRET": app_with_keys.secret,
        "KEYPORT_AUTH_METHOD": "api_key",
        "KEYPORT_SCOPES": ",".join(sorted(s.code for s in app_with_keys.scopes.all())),
        "KEYPORT_API_KEY": newest.key,
        "KEYPORT_API_KEY_EXPIRES_AT": newest.expires_at.isoformat(),
        "KEYPORT_API_KEY_2": older.key,
        "KEYPORT_API_KEY_2_EXPIRES_AT": older.expires_at.isoformat(),
    }


def test_json_export_round_trips(exporter_client, app_with_keys):
    response = _export(exporter_client, fmt="json", app=[app_with_keys.pk])
    data = json.loads(response.content)
    assert data["issuer"] == "keyport"
    assert data["application_id"] == app_with_keys.application_id
    assert data["secret"] == app_with_keys.secret
    stored = {k.prefix: (k.key, k.expires_at.isoformat()) for k in app_with_keys.api_keys.all()}
    assert {k["prefix"]: (k["key"], k["expires_at"]) for k in data["api_keys"]} == stored
    assert data["scopes"] == sorted(s.code for s in app_with_keys.scopes.all())


def test_revoked_and_expired_keys_are_left_out(exporter_client, organization, scopes, actor):
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    key = make_key(application, actor=actor)
    services.api_key_revoke(api_key=key, actor=actor)
    data = json.loads(_export(exporter_client, fmt="json", app=[application.pk]).content)
    assert data["api_keys"] == []


def test_several_items_make_a_zip_with_a_manifest(
    exporter_client, exporter, organization, scopes, actor, app_with_keys
):
    second = make_application(organization, name="Second app", scopes=scopes, actor=actor)
    response = _export(exporter_client, fmt="json", app=[app_with_keys.pk, second.pk])
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            "manifest.json",
            f"app-{app_with_keys.pk}-spa-booking-home.json",
            f"app-{second.pk}-second-app.json",
        ]
    )
    manifest_text = archive.read("manifest.json").decode()
    manifest = json.loads(manifest_text)
    assert manifest["exported_by"] == exporter.username and manifest["format"] == "json"
    assert {item["id"] for item in manifest["items"]} == {app_with_keys.pk, second.pk}
    for secret in _secrets_of(app_with_keys) + _secrets_of(second):
        assert secret not in manifest_text
    second_data = json.loads(archive.read(f"app-{second.pk}-second-app.json"))
    assert second_data["secret"] == Application.objects.get(pk=second.pk).secret


def test_one_audit_row_per_export_and_no_secret_anywhere(
    exporter_client, exporter, app_with_keys, caplog
):
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        _export(exporter_client, app=[app_with_keys.pk])
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in events] == ["export"]
    event = events[0]
    assert event.actor == exporter and event.ip == "127.0.0.1"
    assert event.details["format"] == "env"
    assert event.details["items"][0]["id"] == app_with_keys.pk
    everything = json.dumps(list(AuditEvent.objects.values()), default=str) + caplog.text
    for secret in _secrets_of(app_with_keys):
        assert secret not in everything


def test_no_permission_is_403_and_audited(organization, app_with_keys):
    operator = make_user("otto", role=roles.OPERATOR, organizations=[organization])
    client = Client()
    client.force_login(operator)
    response = _export(client, app=[app_with_keys.pk])
    assert response.status_code == 403
    assert app_with_keys.secret not in response.content.decode()
    event = AuditEvent.objects.get(action="export_denied")
    assert event.details["reason"] == "permission" and event.actor == operator


def test_other_organizations_item_is_404_and_audited(
    exporter_client, other_organization, scopes, actor
):
    theirs = make_application(other_organization, name="Their app", scopes=scopes, actor=actor)
    assert exporter_client.get(EXPORT_URL, {"app": theirs.pk}).status_code == 404
    assert _export(exporter_client, app=[theirs.pk]).status_code == 404
    reasons = list(
        AuditEvent.objects.filter(action="export_denied").values_list("details__reason", flat=True)
    )
    assert reasons == ["not_found", "not_found"]
    assert not AuditEvent.objects.filter(action="export").exists()


def test_wrong_password_shows_the_form_again_and_is_audited(exporter_client, app_with_keys):
    response = _export(exporter_client, app=[app_with_keys.pk], password="wrong")
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert AuditEvent.objects.get(action="export_denied").details["reason"] == "wrong_password"
    assert not AuditEvent.objects.filter(action="export").exists()


def test_password_re_entry_lasts_five_minutes(exporter_client, app_with_keys):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _export(exporter_client, app=[app_with_keys.pk]).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=False):
        response = _export(exporter_client, app=[app_with_keys.pk], password="")
        assert "Content-Disposition" in response
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        response = _export(exporter_client, app=[app_with_keys.pk], password="wrong")
        assert WRONG_PASSWORD_MESSAGE in response.content.decode()


def test_more_than_twenty_exports_an_hour_is_429(exporter_client, app_with_keys):
    for _ in range(RATE_LIMIT_PER_HOUR):
        assert _export(exporter_client, app=[app_with_keys.pk]).status_code == 200
    response = _export(exporter_client, app=[app_with_keys.pk])
    assert response.status_code == 429
    assert RATE_LIMITED_MESSAGE in response.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == RATE_LIMIT_PER_HOUR
    assert AuditEvent.objects.get(action="export_denied").details["reason"] == "rate_limited"


def test_no_audit_row_means_no_file(exporter, app_with_keys):
    client = Client(raise_request_exception=False)
    client.force_login(exporter)

    def audit_storage_down(sender, instance, **kwargs):
        if instance.action == "export":
            raise RuntimeError("audit storage unavailable")

    pre_save.connect(audit_storage_down, sender=AuditEvent)
    try:
        response = _export(client, app=[app_with_keys.pk])
    finally:
        pre_save.disconnect(audit_storage_down, sender=AuditEvent)
    assert response.status_code == 500
    assert "Content-Disposition" not in response
    assert app_with_keys.secret not in response.content.decode()


def test_zenoti_issued_app_exports_under_zenoti_names_with_account_and_base_url(
    exporter_client, organization, scopes, actor, tmp_path
):
    application = services.application_record(
        organization=organization,
        name="Zenoti app",
        uri="https://z.example.com",
        login_user_type="employee",
        source_app="bot",
        scopes=scopes,
        application_id="zen-42",
        secret="zenoti-secret",
        zenoti_account_name="serenityspa",
        api_key="zenoti-key",
        api_key_expires_at=timezone.now() + dt.timedelta(days=30),
        actor=actor,
    )
    values = parse_env(_export(exporter_client, app=[application.pk]).content.decode(), tmp_path)
    assert values["ZENOTI_APPLICATION_ID"] == "zen-42"
    assert values["ZENOTI_APPLICATION_SECRET"] == "zenoti-secret"
    assert values["ZENOTI_API_KEY"] == "zenoti-key"
    assert values["ZENOTI_ACCOUNT_NAME"] == "serenityspa"
    assert values["ZENOTI_API_BASE_URL"] == settings.ZENOTI_API_BASE_URL
    assert not [name for name in values if name.startswith("KEYPORT_")]
    data = json.loads(_export(exporter_client, fmt="json", app=[application.pk]).content)
    assert data["issuer"] == "zenoti" and data["zenoti_account_name"] == "serenityspa"


def test_list_action_and_change_page_lead_to_the_export(exporter_client, app_with_keys):
    changelist = reverse("admin:apps_registry_application_changelist")
    response = exporter_client.post(
        changelist, {"action": "export_credentials", "_selected_action": [app_with_keys.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{EXPORT_URL}?app={app_with_keys.pk}"
    page = exporter_client.get(response["Location"]).content.decode()
    assert f'value="{app_with_keys.pk}" id="id_app_0" checked' in page
    change = reverse("admin:apps_registry_application_change", args=[app_with_keys.pk])
    assert f"{EXPORT_URL}?app={app_with_keys.pk}" in exporter_client.get(change).content.decode()


def test_roles_grant_what_design_says(db):
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert "export_credentials" not in codenames(roles.OPERATOR)
    assert "export_credentials" in codenames(roles.CREDENTIAL_EXPORTER)
    assert codenames(roles.OPERATOR) <= codenames(roles.CREDENTIAL_EXPORTER)
    assert {"view_auditevent", "view_application"} <= codenames(roles.AUDITOR)
    assert all(c.startswith("view_") for c in codenames(roles.AUDITOR))
