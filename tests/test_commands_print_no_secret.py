"""No management command prints a stored secret, except ``export_credentials``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.factories import make_application, make_connection, make_key

COMMANDS = [
    ["dumpdata"],
    ["dumpdata", "apps_registry", "connections", "--indent", "2"],
    ["send_expiry_alerts", "--dry-run"],
    ["rotate_encryption_keys", "--dry-run"],
    ["setup_periodic_tasks"],
    ["check"],
    ["showmigrations", "apps_registry"],
]


@pytest.fixture
def known_secrets(organization, scopes):
    organization.api_key_lifetime_days = 3  # due for an alert, so the dry run lists it
    organization.save()
    application = make_application(organization, name="Printed?", scopes=scopes)
    secret = application.secret
    raw_key = make_key(application).key
    make_connection(organization, name="Site", api_key="mb-api-key-Lr5Tq9")
    return [secret, raw_key, "mb-api-key-Lr5Tq9"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_command_output_holds_no_secret(command, known_secrets):
    out, err = io.StringIO(), io.StringIO()
    call_command(*command, stdout=out, stderr=err)
    printed = out.getvalue() + err.getvalue()
    assert printed.strip(), "the command printed nothing, so this test would prove nothing"
    for secret in known_secrets:
        assert secret not in printed
