"""Registry services: creation, recording, keys, verification, atomicity, audit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.utils import timezone

from apps_registry import services
from apps_registry.models import ApiKey, Application, AuditEvent, RedirectURL
from apps_registry.models.audit import AppendOnlyError
from tests.factories import make_application

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


# The app most tests here start from (an employee app with one post-login redirect).
FRONT_DESK: dict[str, Any] = {
    "name": "Front desk",
    "uri": "https://frontdesk.example.com",
    "login_user_type": "employee",
    "source_app": "client_app",
    "redirect_urls": [("post_login", "https://frontdesk.example.com/in")],
}


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_create_generates_id_and_secret_and_audits_without_the_secret(
    organization, scopes, actor
) -> None:
    application, secret = services.application_create(
        organization=organization, scopes=scopes, actor=actor, **FRONT_DESK
    )
    assert application.credential_origin == "generated"
    assert Application.objects.get(pk=application.pk).secret == secret
    assert list(application.scopes.all()) == scopes
    event = AuditEvent.objects.get(action="application_create")
    assert event.actor_label == "olivia" and event.ip == "203.0.113.7"
    assert event.details["application_id"] == application.application_id
    assert secret not in _audit_text()


def test_invalid_second_redirect_url_leaves_nothing_behind(organization, scopes, actor) -> None:
    with pytest.raises(ValidationError):
        make_application(
            organization,
            scopes=scopes,
            actor=actor,
            **FRONT_DESK
            | {
                "redirect_urls": [
                    ("post_login", "https://ok.example.com/in"),
                    ("post_logout", "javascript:alert(1)"),
                ]
            },
        )
    assert not Application.objects.exists()
    assert not RedirectURL.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_name_in_one_organization_is_refused(organization, scopes, actor) -> None:
    make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    with pytest.raises(ValidationError) as raised:
        make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    assert "already has an application with this name" in str(raised.value)


def test_record_keeps_pasted_credentials_and_key_verifies(organization, scopes, actor) -> None:
    expires = timezone.now() + dt.timedelta(days=90)
    application = services.application_record(
        organization=organization,
        name="Zenoti webstore",
        uri="https://shop.example.com",
        login_user_type="guest",
        source_app="external_webstore",
        scopes=scopes,
        application_id="zen-1234",
        secret="zenoti-secret-value",
        zenoti_account_name="serenityspa",
        api_key="zenoti-issued-api-key-000111",
        api_key_expires_at=expires,
        actor=actor,
    )
    stored = Application.objects.get(pk=application.pk)
    assert stored.credential_origin == "recorded"
    assert stored.application_id == "zen-1234" and stored.secret == "zenoti-secret-value"
    # Zenoti verifies the keys it issued; Keyport's verification does not know them.
    assert services.api_key_verify("zenoti-issued-api-key-000111").code == "NOT_FOUND"
    assert ApiKey.objects.get(application=application).prefix.startswith("ext_")
    assert "zenoti-secret-value" not in _audit_text()
    assert "zenoti-issued-api-key-000111" not in _audit_text()


def test_record_with_a_key_already_stored_elsewhere_leaves_no_app(
    organization, scopes, actor
) -> None:
    expires = timezone.now() + dt.timedelta(days=90)
    common = {
        "organization": organization,
        "uri": "https://shop.example.com",
        "login_user_type": "guest",
        "source_app": "external_webstore",
        "scopes": scopes,
        "secret": "s",
        "zenoti_account_name": "serenityspa",
        "api_key": "the-same-key",
        "api_key_expires_at": expires,
        "actor": actor,
    }
    services.application_record(name="One", application_id="id-1", **common)
    with pytest.raises(ValidationError):
        services.application_record(name="Two", application_id="id-2", **common)
    assert list(Application.objects.values_list("name", flat=True)) == ["One"]


def test_generated_key_verifies_and_stamps_last_use(organization, scopes, actor) -> None:
    application = make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    key, raw_key = services.api_key_generate(application=application, actor=actor, now=NOW)
    assert key.expires_at == NOW + dt.timedelta(days=365)
    found = services.api_key_verify(raw_key, now=NOW + dt.timedelta(days=1))
    assert found.valid and found.key_id == key.pk
    assert ApiKey.objects.get(pk=key.pk).last_used_at == NOW + dt.timedelta(days=1)
    assert services.api_key_verify(raw_key + "x", now=NOW).code == "NOT_FOUND"
    assert services.api_key_verify("", now=NOW).code == "NOT_FOUND"


def test_expired_revoked_and_inactive_app_keys_are_refused(organization, scopes, actor) -> None:
    application = make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    key, raw_key = services.api_key_generate(application=application, actor=actor, now=NOW)
    assert services.api_key_verify(raw_key, now=NOW + dt.timedelta(days=366)).code == "EXPIRED"
    application.is_active = False
    application.save()
    assert services.api_key_verify(raw_key, now=NOW).code == "APP_INACTIVE"
    application.is_active = True
    application.save()
    services.api_key_revoke(api_key=key, actor=actor, now=NOW)
    assert services.api_key_verify(raw_key, now=NOW).code == "REVOKED"
    with pytest.raises(services.KeyStateError):
        services.api_key_revoke(api_key=key, actor=actor)


def test_rotation_keeps_old_key_for_the_grace_period_only(organization, scopes, actor) -> None:
    application = make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    old, old_raw = services.api_key_generate(application=application, actor=actor, now=NOW)
    new, new_raw = services.api_key_rotate(api_key=old, actor=actor, now=NOW)
    old.refresh_from_db()
    assert old.expires_at == NOW + dt.timedelta(days=organization.rotation_grace_days)
    assert old.replaced_by == new
    assert old.status(NOW).value == "in_grace"
    assert services.api_key_verify(old_raw, now=NOW + dt.timedelta(days=6)).valid
    assert services.api_key_verify(old_raw, now=NOW + dt.timedelta(days=8)).code == "EXPIRED"
    assert services.api_key_verify(new_raw, now=NOW + dt.timedelta(days=8)).valid
    with pytest.raises(services.KeyStateError):
        services.api_key_rotate(api_key=old, actor=actor, now=NOW)
    assert old_raw not in _audit_text() and new_raw not in _audit_text()


def test_rotation_failing_midway_leaves_keys_as_they_were(organization, scopes, actor) -> None:
    application = make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    old, _ = services.api_key_generate(application=application, actor=actor, now=NOW)

    def fail_on_rotate_audit(sender, instance, **kwargs):
        if instance.action == "api_key_rotate":
            raise RuntimeError("audit storage unavailable")

    pre_save.connect(fail_on_rotate_audit, sender=AuditEvent)
    try:
        with pytest.raises(RuntimeError):
            services.api_key_rotate(api_key=old, actor=actor, now=NOW)
    finally:
        pre_save.disconnect(fail_on_rotate_audit, sender=AuditEvent)
    assert ApiKey.objects.count() == 1
    old.refresh_from_db()
    assert old.replaced_by is None and old.expires_at == NOW + dt.timedelta(days=365)


def test_audit_events_cannot_be_changed_or_deleted(organization, scopes, actor) -> None:
    make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    event = AuditEvent.objects.get()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "application_create"


def test_key_status_follows_dates(organization, scopes, actor) -> None:
    application = make_application(organization, scopes=scopes, actor=actor, **FRONT_DESK)
    key, _ = services.api_key_generate(application=application, actor=actor, now=NOW)
    assert key.status(NOW).value == "active"
    assert key.status(NOW + dt.timedelta(days=340)).value == "expiring"
    assert key.status(NOW + dt.timedelta(days=365)).value == "expired"
    assert key.days_left(NOW + dt.timedelta(days=300)) == 65
