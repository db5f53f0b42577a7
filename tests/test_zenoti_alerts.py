"""Expiry alerts tell the truth for Zenoti keys: rotate in Zenoti, then record it here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps_registry.alerts.claims import expiry_alerts_scan
from apps_registry.alerts.delivery import expiry_alerts_deliver
from apps_registry.alerts.due import find_due
from apps_registry.alerts.message import ROTATE_IN_ZENOTI
from apps_registry.export.applications import application_item
from apps_registry.models import ApiKey, Application
from tests.factories import make_application, make_key, make_zenoti_application
from tests.support_zenoti import only_key, zenoti_key


def _deliver(now: dt.datetime) -> None:
    (batch,) = expiry_alerts_scan(now=now).batches
    expiry_alerts_deliver(
        organization_id=batch.organization_id, claim=batch.claim, now=now, final_attempt=True
    )


@pytest.fixture
def mixed(spa, actor, fake_zenoti):
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    zenoti_app = make_zenoti_application(
        spa, actor=actor, name="Zenoti kiosk", api_key=raw, days=10
    )
    own_key = make_key(
        make_application(spa, name="Own widget"), expires_at=timezone.now() + dt.timedelta(days=10)
    )
    return only_key(zenoti_app), own_key, raw


def test_the_digest_sends_zenoti_keys_to_record_replacement(mixed, smtp_server) -> None:
    zenoti_key_row, own_key, raw = mixed
    _deliver(timezone.now())
    mail = smtp_server.by_recipient()["ops@serenity.test"][0]
    replacement = f"/apps_registry/application/{zenoti_key_row.application_id}/keys/{zenoti_key_row.pk}/record-replacement/"
    rotate = f"/keys/{own_key.pk}/rotate/"
    assert f"{ROTATE_IN_ZENOTI}: http://testserver/admin{replacement}" in mail.text
    assert (
        f"Rotate it in Keyport: http://testserver/admin/apps_registry/application/{own_key.application_id}{rotate}"
        in mail.text
    )
    assert f"/keys/{zenoti_key_row.pk}/rotate/" not in mail.text + mail.html
    assert "Record replacement key" in mail.html and replacement in mail.html
    assert "issued by Zenoti" in mail.text and raw not in mail.text + mail.html


def test_following_the_email_never_yields_a_key_zenoti_refuses(
    mixed, smtp_server, operator_client: Client, fake_zenoti, tmp_path
) -> None:
    """The issue's walk-through: key expiring in 10 days, follow the link, record, export."""
    old, _, old_raw = mixed
    _deliver(timezone.now())
    link = (
        smtp_server.received[0].text.split(f"{ROTATE_IN_ZENOTI}: http://testserver")[1].split()[0]
    )
    page = operator_client.get(link)
    assert page.status_code == 200 and b"Record replacement key" in page.content
    new_raw = zenoti_key()
    fake_zenoti.add_key(new_raw)
    expires = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    operator_client.post(link, {"api_key": new_raw, "expires_on": expires})
    new = ApiKey.objects.get(replaces=old)
    assert new.zenoti_result == "passed"
    assert not ApiKey.objects.filter(prefix__startswith="kp_", application=old.application).exists()
    # Alerts now follow the new key only; the old one is in its grace week.
    due_ids = {d.api_key_id for d in find_due(now=timezone.now() + dt.timedelta(days=364))}
    assert new.pk in due_ids and old.pk not in due_ids
    # The export hands the deployment Zenoti's new key first, then the one in its grace week.
    env = dict(application_item(Application.objects.get(pk=old.application_id)).env)
    assert (env["ZENOTI_API_KEY"], env["ZENOTI_API_KEY_2"]) == (new_raw, old_raw)
    assert all(env[name] in fake_zenoti.keys for name in ("ZENOTI_API_KEY", "ZENOTI_API_KEY_2"))
