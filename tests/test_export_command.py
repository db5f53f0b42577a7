"""``manage.py export_credentials``: files with mode 0600, no accidental overwrite, audited."""

from __future__ import annotations

import getpass
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from apps_registry import services
from apps_registry.management.commands.export_credentials import (
    EXISTS_MESSAGE,
    UNKNOWN_APP_MESSAGE,
    ZIP_NEEDS_BINARY_MESSAGE,
)
from apps_registry.models import AuditEvent
from tests.export_support import parse_env


@pytest.fixture
def application(organization, scopes, actor):
    application, _ = services.application_create(
        organization=organization,
        name="Kiosk",
        uri="https://kiosk.example.com",
        login_user_type="guest",
        source_app="client_app",
        scopes=scopes,
        actor=actor,
    )
    services.api_key_generate(application=application, actor=actor)
    application.refresh_from_db()
    return application


def test_writes_a_private_env_file_and_audits_the_os_user(application, tmp_path):
    output = tmp_path / "kiosk.env"
    err = io.StringIO()
    call_command(
        "export_credentials",
        "--app",
        application.application_id,
        "--format",
        "env",
        "--output",
        str(output),
        stderr=err,
    )
    assert output.stat().st_mode & 0o777 == 0o600
    values = parse_env(output.read_text(), tmp_path)
    assert values["KEYPORT_APPLICATION_SECRET"] == application.secret
    assert values["KEYPORT_API_KEY"] == application.api_keys.get().key
    assert "Wrote" in err.getvalue() and application.secret not in err.getvalue()
    event = AuditEvent.objects.get(action="export")
    assert event.actor_label == f"cli:{getpass.getuser()}"
    assert application.secret not in json.dumps(event.details)


def test_refuses_to_overwrite_without_force(application, tmp_path):
    output = tmp_path / "kiosk.json"
    output.write_text("keep me")
    args = ["export_credentials", "--app", application.application_id, "--format", "json"]
    with pytest.raises(CommandError, match=EXISTS_MESSAGE.format(path=output)):
        call_command(*args, "--output", str(output))
    assert output.read_text() == "keep me"
    call_command(*args, "--output", str(output), "--force")
    assert json.loads(output.read_text())["secret"] == application.secret


def test_prints_to_a_pipe(application):
    out = io.StringIO()
    call_command(
        "export_credentials", "--app", application.application_id, "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue())["application_id"] == application.application_id


def test_several_apps_make_a_zip(application, organization, scopes, actor, tmp_path):
    other, _ = services.application_create(
        organization=organization,
        name="Other",
        uri="https://o.example.com",
        login_user_type="guest",
        source_app="bot",
        scopes=scopes,
        actor=actor,
    )
    ids = [application.application_id, other.application_id]
    with pytest.raises(CommandError, match=ZIP_NEEDS_BINARY_MESSAGE):
        call_command("export_credentials", "--app", *ids, "--format", "env", stdout=io.StringIO())
    output = tmp_path / "bundle.zip"
    call_command("export_credentials", "--app", *ids, "--format", "env", "--output", str(output))
    assert len(zipfile.ZipFile(output).namelist()) == 3


def test_unknown_application_id_is_a_clear_error(db):
    with pytest.raises(CommandError, match=UNKNOWN_APP_MESSAGE.format(value="nope")):
        call_command("export_credentials", "--app", "nope", "--format", "env")
    assert not AuditEvent.objects.exists()
