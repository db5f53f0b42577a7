"""Zenoti-issued keys: recorded (and replaced) the Zenoti way, never generated or rotated."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps_registry import services
from apps_registry.alerts.due import find_due
from apps_registry.credentials import KEY_PREFIX_MARK
from apps_registry.export.applications import application_item
from apps_registry.models import ApiKey, Application, AuditEvent
from apps_registry.models.applications import ZENOTI_ACCOUNT_NAME_REQUIRED
from apps_registry.services.recorded_keys import (
    RECORD_DUPLICATE_MESSAGE,
    RECORD_EMPTY_MESSAGE,
    RECORD_EXPIRY_PAST_MESSAGE,
    RECORD_NOT_ZENOTI_MESSAGE,
    REPLACE_OTHER_APP_MESSAGE,
    REPLACE_REVOKED_MESSAGE,
    REPLACE_TWICE_MESSAGE,
)
from tests.factories import make_zenoti_application
from tests.fake_zenoti import UNKNOWN_KEY_MESSAGE
from tests.support_zenoti import only_key, zenoti_key


@pytest.fixture
def first_key(fake_zenoti):
    key = zenoti_key()
    fake_zenoti.add_key(key)
    return key


@pytest.fixture
def zenoti_app(organization, actor, first_key):
    return make_zenoti_application(organization, actor=actor, api_key=first_key, days=10)


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "details", "target_repr")))


def test_recording_an_app_checks_its_key_with_zenoti(zenoti_app, fake_zenoti, first_key) -> None:
    key = only_key(zenoti_app)
    assert key.zenoti_result == "passed" and key.zenoti_checked_at is not None
    assert len(fake_zenoti.requests_for(first_key)) == 1
    assert zenoti_app.issuer == "zenoti" and zenoti_app.zenoti_account_name == "serenityspa"


def test_recording_needs_the_zenoti_account_name(organization, actor, fake_zenoti) -> None:
    with pytest.raises(ValidationError) as raised:
        make_zenoti_application(organization, actor=actor, account="  ")
    assert ZENOTI_ACCOUNT_NAME_REQUIRED in str(raised.value)
    assert not Application.objects.exists()


def test_replacement_cuts_the_old_key_to_the_grace_period_and_takes_over(
    zenoti_app, actor, fake_zenoti, first_key
) -> None:
    old = only_key(zenoti_app)
    old_expiry = old.expires_at
    new_raw = zenoti_key()
    fake_zenoti.add_key(new_raw)
    started = timezone.now()
    new = services.api_key_record(
        application=zenoti_app,
        raw_key=new_raw,
        expires_at=started + dt.timedelta(days=365),
        actor=actor,
        replaces=old,
    )
    old.refresh_from_db()
    grace_end = started + dt.timedelta(days=zenoti_app.organization.rotation_grace_days)
    assert old.replaced_by_id == new.pk
    assert abs((old.expires_at - min(old_expiry, grace_end)).total_seconds()) < 5
    assert old.status().value == "in_grace"
    assert new.zenoti_result == "passed" and new.key == new_raw
    assert not new.prefix.startswith(KEY_PREFIX_MARK)
    assert not ApiKey.objects.filter(prefix__startswith=KEY_PREFIX_MARK).exists()
    # Alerts follow the new key: in 360 days only it (not the retired one) is due.
    due = find_due(now=started + dt.timedelta(days=360))
    assert [d.api_key_id for d in due] == [new.pk]
    # The export lists the newest key first, the one in its grace week second.
    env = dict(application_item(Application.objects.get(pk=zenoti_app.pk)).env)
    assert env["ZENOTI_API_KEY"] == new_raw and env["ZENOTI_API_KEY_2"] == first_key
    row = AuditEvent.objects.get(action="api_key_record_replacement")
    assert row.details["replaces"] == old.prefix
    assert new_raw not in _audit_text() and first_key not in _audit_text()


def test_a_short_lived_old_key_keeps_its_own_earlier_expiry(
    organization, actor, fake_zenoti
) -> None:
    application = make_zenoti_application(organization, actor=actor, api_key=zenoti_key(), days=2)
    old = only_key(application)
    own_expiry = old.expires_at
    services.api_key_record(
        application=application,
        raw_key=zenoti_key(),
        expires_at=timezone.now() + dt.timedelta(days=365),
        actor=actor,
        replaces=old,
    )
    old.refresh_from_db()
    assert old.expires_at == own_expiry


def test_a_refused_key_is_stored_and_marked_failing(zenoti_app, actor) -> None:
    unknown = zenoti_key()
    key = services.api_key_record(
        application=zenoti_app,
        raw_key=unknown,
        expires_at=timezone.now() + dt.timedelta(days=365),
        actor=actor,
    )
    assert key.key == unknown
    assert key.zenoti_result == "refused"
    assert UNKNOWN_KEY_MESSAGE in key.zenoti_message


def test_generate_and_rotate_are_refused_for_zenoti_keys(zenoti_app, actor) -> None:
    key = only_key(zenoti_app)
    with pytest.raises(services.KeyStateError, match="Zenoti issues this app's keys"):
        services.api_key_generate(application=zenoti_app, actor=actor)
    with pytest.raises(services.KeyStateError) as raised:
        services.api_key_rotate(api_key=key, actor=actor)
    assert str(raised.value) == services.ZENOTI_ISSUES_KEYS_MESSAGE
    assert list(ApiKey.objects.values_list("pk", flat=True)) == [key.pk]
    key.refresh_from_db()
    assert key.replaced_by_id is None


def test_keyport_issued_apps_cannot_record_keys(organization, scopes, actor) -> None:
    application, _ = services.application_create(
        organization=organization,
        name="Own app",
        uri="https://own.example.com",
        login_user_type="guest",
        source_app="bot",
        scopes=scopes,
        actor=actor,
    )
    with pytest.raises(services.KeyStateError, match=RECORD_NOT_ZENOTI_MESSAGE):
        services.api_key_record(
            application=application,
            raw_key=zenoti_key(),
            expires_at=timezone.now() + dt.timedelta(days=30),
            actor=actor,
        )
    assert application.issuer == "keyport"


def test_a_key_is_replaced_once_and_recorded_once(zenoti_app, actor, first_key) -> None:
    old = only_key(zenoti_app)
    later = timezone.now() + dt.timedelta(days=365)
    with pytest.raises(ValidationError, match=RECORD_DUPLICATE_MESSAGE):
        services.api_key_record(
            application=zenoti_app, raw_key=first_key, expires_at=later, actor=actor, replaces=old
        )
    old.refresh_from_db()
    assert old.replaced_by_id is None
    services.api_key_record(
        application=zenoti_app, raw_key=zenoti_key(), expires_at=later, actor=actor, replaces=old
    )
    with pytest.raises(services.KeyStateError, match=REPLACE_TWICE_MESSAGE):
        services.api_key_record(
            application=zenoti_app,
            raw_key=zenoti_key(),
            expires_at=later,
            actor=actor,
            replaces=old,
        )
    assert zenoti_app.api_keys.count() == 2


def test_mark_as_revoked_stops_the_export(zenoti_app, actor) -> None:
    services.api_key_revoke(api_key=only_key(zenoti_app), actor=actor)
    data = application_item(Application.objects.get(pk=zenoti_app.pk)).data
    assert data["api_keys"] == []
    assert AuditEvent.objects.get(action="api_key_revoke").details == {"issuer": "zenoti"}


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://api.zenoti.com", True),
        ("http://127.0.0.1:8081", True),
        ("http://api.zenoti.com", False),
        ("ftp://api.zenoti.com", False),
    ],
)
def test_the_key_only_travels_over_https(organization, actor, url, accepted) -> None:
    if accepted:
        services.application_record(**_recording(organization, actor, url))
        assert Application.objects.get().zenoti_base_url() == url
        return
    with pytest.raises(ValidationError, match="must start with https://"):
        services.application_record(**_recording(organization, actor, url))
    assert not Application.objects.exists()


def _recording(organization, actor, url: str) -> dict:
    return {
        "organization": organization,
        "name": "Elsewhere",
        "uri": "https://elsewhere.example.com",
        "login_user_type": "guest",
        "source_app": "bot",
        "scopes": [],
        "application_id": "zen-base-url",
        "secret": "s3cret-value",
        "zenoti_account_name": "serenityspa",
        "zenoti_api_base_url": url,
        "actor": actor,
    }


def test_bad_recordings_are_refused_in_plain_words(organization, actor, zenoti_app) -> None:
    later = timezone.now() + dt.timedelta(days=365)
    with pytest.raises(ValidationError, match=RECORD_EMPTY_MESSAGE):
        services.api_key_record(application=zenoti_app, raw_key="  ", expires_at=later, actor=actor)
    with pytest.raises(ValidationError, match=RECORD_EXPIRY_PAST_MESSAGE):
        services.api_key_record(
            application=zenoti_app,
            raw_key=zenoti_key(),
            expires_at=timezone.now() - dt.timedelta(days=1),
            actor=actor,
        )
    other = make_zenoti_application(organization, actor=actor, name="Other", api_key=zenoti_key())
    with pytest.raises(services.KeyStateError, match=REPLACE_OTHER_APP_MESSAGE):
        services.api_key_record(
            application=zenoti_app,
            raw_key=zenoti_key(),
            expires_at=later,
            actor=actor,
            replaces=only_key(other),
        )
    revoked = services.api_key_revoke(api_key=only_key(zenoti_app), actor=actor)
    with pytest.raises(services.KeyStateError, match=REPLACE_REVOKED_MESSAGE):
        services.api_key_record(
            application=zenoti_app,
            raw_key=zenoti_key(),
            expires_at=later,
            actor=actor,
            replaces=revoked,
        )
    assert zenoti_app.api_keys.count() == 1
