"""Migration 0007: ``kp_`` keys that the old Rotate minted on Zenoti-issued apps are marked
revoked, and the Zenoti keys they replaced count as current again."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.utils import timezone

from apps_registry import credentials, services
from apps_registry.export.applications import application_item
from apps_registry.models import ApiKey, Application, AuditEvent
from apps_registry.models.applications import CredentialOrigin
from apps_registry.services.keys import store_key
from tests.factories import make_application, make_key, make_zenoti_application
from tests.support_zenoti import only_key, zenoti_key

migration = importlib.import_module("apps_registry.migrations.0007_zenoti_issuer")


def test_keyport_minted_keys_leave_zenoti_apps(organization, actor) -> None:
    application = make_zenoti_application(organization, actor=actor, api_key=zenoti_key(), days=200)
    real = only_key(application)
    # What the old Rotate did: a kp_ key, the real key cut short and marked as replaced.
    prefix, raw = credentials.new_api_key()
    minted = store_key(
        application=application,
        prefix=prefix,
        raw_key=raw,
        expires_at=timezone.now() + dt.timedelta(days=365),
        actor=actor,
    )
    ApiKey.objects.filter(pk=real.pk).update(replaced_by=minted)
    own = make_application(organization, name="Own app")
    own_key = make_key(own, expires_at=timezone.now() + dt.timedelta(days=30))
    services.api_key_rotate(api_key=own_key, actor=actor)

    migration.keyport_keys_off_zenoti_apps(apps, None)

    minted.refresh_from_db()
    real.refresh_from_db()
    assert minted.revoked_at is not None and real.replaced_by_id is None
    assert real in ApiKey.objects.alert_eligible()  # alerts follow the real Zenoti key again
    env = dict(application_item(Application.objects.get(pk=application.pk)).env)
    assert env["ZENOTI_API_KEY"] == real.key and "ZENOTI_API_KEY_2" not in env
    own_key.refresh_from_db()
    assert own_key.replaced_by_id is not None  # Keyport's own rotations are untouched
    assert not ApiKey.objects.filter(application=own, revoked_at__isnull=False).exists()
    row = AuditEvent.objects.get(action="api_key_revoke", target_id=str(minted.pk))
    assert row.actor_label == "system" and raw not in str(row.details)
    assert application.credential_origin == CredentialOrigin.RECORDED
