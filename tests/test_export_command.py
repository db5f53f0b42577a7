"""``manage.py export_credentials``: files with mode 0600, no accidental overwrite, audited."""

from __future__ import annotations

import getpass
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from apps_registry.management.commands.export_credentials import (
    EXISTS_MESSAGE,
    ZIP_NEEDS_BINARY_MESSAGE,
)
from apps_registry.models import AuditEvent
from apps_registry.selectors import UNKNOWN_APP_MESSAGE
from tests.export_support import parse_env
from tests.factories import make_application, make_key


@pytest.fixture
def application(organization, scopes, actor):
    application = make_application(
        organization, name="Kiosk", source_app="client_app", scopes=scopes, actor=actor
    )
    make_key(application, actor=actor)
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
    other = make_application(organization, name="Other", scopes=scopes, actor=actor)
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


def test_the_selector_finds_named_items_in_order_or_names_the_first_unknown(
    organization, sandbox_connection
):
    from apps_registry.selectors import (
        UNKNOWN_SITE_MESSAGE,
        ExportReferenceError,
        export_objects_by_reference,
    )

    first, second = (
        make_application(organization, name="Front desk"),
        make_application(organization, name="Kiosk"),
    )
    ids = [second.application_id, first.application_id]
    found = export_objects_by_reference(application_ids=ids, site_ids=[sandbox_connection.pk])
    assert [a.pk for a in found["app"]] == [second.pk, first.pk]
    assert found["site"] == [sandbox_connection]
    with pytest.raises(ExportReferenceError, match=UNKNOWN_APP_MESSAGE.format(value="nope")):
        export_objects_by_reference(application_ids=[*ids, "nope", "nada"], site_ids=[])
    missing = sandbox_connection.pk + 1000
    with pytest.raises(ExportReferenceError, match=UNKNOWN_SITE_MESSAGE.format(value=missing)):
        export_objects_by_reference(application_ids=[], site_ids=[missing])


def test_private_file_is_0600_even_over_a_readable_file(tmp_path):
    from apps_registry.export.formats import write_private_file

    target = tmp_path / "creds.env"
    target.write_text("old")
    target.chmod(0o644)
    write_private_file(target, b"NEW=1\n")
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_bytes() == b"NEW=1\n"
