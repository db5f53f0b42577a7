"""Backups: ``dumpdata`` writes encrypted fields as ciphertext, ``loaddata`` restores them."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from apps_registry import services
from apps_registry.models import ApiKey, Application


def test_dumpdata_holds_no_secret_and_loaddata_restores_it(organization, scopes, actor, tmp_path):
    application, secret = services.application_create(
        organization=organization,
        name="Backed up",
        uri="https://b.example.com",
        login_user_type="guest",
        source_app="bot",
        scopes=scopes,
        actor=actor,
    )
    _, raw_key = services.api_key_generate(application=application, actor=actor)
    out = io.StringIO()
    call_command("dumpdata", "apps_registry.application", "apps_registry.apikey", stdout=out)
    dump = out.getvalue()
    assert secret not in dump and raw_key not in dump
    rows = json.loads(dump)
    assert rows[0]["fields"]["secret"].startswith("keyport-encrypted:gAAAAA")

    backup = tmp_path / "backup.json"
    backup.write_text(dump)
    ApiKey.objects.all().delete()
    Application.objects.all().delete()
    call_command("loaddata", str(backup), stdout=io.StringIO())
    assert Application.objects.get(name="Backed up").secret == secret
    assert ApiKey.objects.get().key == raw_key
