"""Backups: ``dumpdata`` writes encrypted fields as ciphertext, ``loaddata`` restores them."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from apps_registry.models import ApiKey, Application
from tests.factories import make_application, make_key


def test_dumpdata_holds_no_secret_and_loaddata_restores_it(organization, scopes, actor, tmp_path):
    application = make_application(organization, name="Backed up", scopes=scopes, actor=actor)
    secret = application.secret
    raw_key = make_key(application, actor=actor).key
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
