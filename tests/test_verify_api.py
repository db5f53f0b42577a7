"""POST /api/v1/keys/verify: every verdict, 200 for each, and what the gateway sees."""

from __future__ import annotations

import codecs
import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from apps_registry import services
from apps_registry.models import ApiKey, ApiScope, Application
from tests.factories import make_zenoti_application
from tests.support_verify import call, issue
from tests.support_zenoti import zenoti_key


def test_valid_key_answers_the_app_and_its_scopes(api_client, verifier, issued, scopes):
    _, token = verifier
    codes = sorted(s.code for s in scopes)
    response = call(api_client, token, {"key": issued.raw_key, "scopes": codes[:2]})
    assert response.status_code == 200
    body = response.json()
    app = issued.application
    assert body["valid"] is True and body["code"] == "VALID"
    assert body["application"] == {
        "application_id": app.application_id,
        "name": "Booking widget",
        "auth_method": "api_key",
        "source_app": "external_webstore",
        "login_user_type": "guest",
        "scopes": codes,
    }
    key = ApiKey.objects.get(pk=issued.key_id)
    assert body["key"]["prefix"] == key.prefix and body["key"]["status"] == "active"
    answered = dt.datetime.fromisoformat(body["key"]["expires_at"])
    assert abs(answered - key.expires_at) < dt.timedelta(milliseconds=1)


def test_every_way_of_sending_the_body_gets_the_same_answer(api_client, verifier, issued, scopes):
    """Most calls skip ninja's general request handling; one its JSON parser accepts and the
    fast path's does not (a UTF-8 byte order mark, as some Windows clients send) still takes
    ninja's path, and the answer is the same either way."""
    _, token = verifier
    body = json.dumps({"key": issued.raw_key, "scopes": [scopes[0].code]}).encode()
    plain = call(api_client, token, body)
    with_bom = call(api_client, token, codecs.BOM_UTF8 + body)
    assert plain.status_code == with_bom.status_code == 200
    assert plain.json()["code"] == "VALID"
    assert with_bom.json() == plain.json()


def test_unknown_key_is_not_found_without_details(api_client, verifier, issued):
    response = call(api_client, verifier[1], {"key": issued.raw_key + "x"})
    assert response.status_code == 200
    assert response.json() == {"valid": False, "code": "NOT_FOUND"}


def test_another_organizations_key_is_indistinguishable_from_none(
    api_client, verifier, other_organization, scopes, actor
):
    theirs = issue(other_organization, scopes, actor, name="Rival app")
    foreign = call(api_client, verifier[1], {"key": theirs.raw_key})
    missing = call(api_client, verifier[1], {"key": "kp_AAAAAAAA.nothing-like-this"})
    assert foreign.status_code == missing.status_code == 200
    assert foreign.content == missing.content == b'{"valid": false, "code": "NOT_FOUND"}'
    assert ApiKey.objects.get(pk=theirs.key_id).last_used_at is None


def test_zenoti_issued_key_is_not_found(api_client, verifier, organization, actor, fake_zenoti):
    raw = zenoti_key()
    fake_zenoti.add_key(raw)  # valid at Zenoti: Zenoti verifies it, Keyport's API does not
    make_zenoti_application(organization, actor=actor, api_key=raw)
    body = call(api_client, verifier[1], {"key": raw}).json()
    assert body == {"valid": False, "code": "NOT_FOUND"}


def test_revoked_key(api_client, verifier, issued, actor):
    services.api_key_revoke(api_key=ApiKey.objects.get(pk=issued.key_id), actor=actor)
    body = call(api_client, verifier[1], {"key": issued.raw_key}).json()
    assert (body["valid"], body["code"], body["key"]["status"]) == (False, "REVOKED", "revoked")


def test_expired_key(api_client, verifier, issued):
    later = timezone.now() + dt.timedelta(days=366)
    with time_machine.travel(later, tick=False):
        body = call(api_client, verifier[1], {"key": issued.raw_key}).json()
    assert (body["valid"], body["code"], body["key"]["status"]) == (False, "EXPIRED", "expired")


def test_rotation_grace_then_expired(api_client, verifier, issued, actor, organization):
    old = ApiKey.objects.get(pk=issued.key_id)
    _, new_raw = services.api_key_rotate(api_key=old, actor=actor)
    in_grace = call(api_client, verifier[1], {"key": issued.raw_key}).json()
    assert in_grace["code"] == "VALID" and in_grace["key"]["status"] == "in_grace"
    after = timezone.now() + dt.timedelta(days=organization.rotation_grace_days, hours=1)
    with time_machine.travel(after, tick=False):
        assert call(api_client, verifier[1], {"key": issued.raw_key}).json()["code"] == "EXPIRED"
        assert call(api_client, verifier[1], {"key": new_raw}).json()["code"] == "VALID"


def test_inactive_app(api_client, verifier, issued):
    Application.objects.filter(pk=issued.application.pk).update(is_active=False)
    body = call(api_client, verifier[1], {"key": issued.raw_key}).json()
    assert (body["valid"], body["code"]) == (False, "APP_INACTIVE")
    assert body["application"]["application_id"] == issued.application.application_id


def test_scope_requested_but_not_granted(api_client, verifier, issued, scopes):
    missing = ApiScope.objects.exclude(pk__in=[s.pk for s in scopes]).first()
    body = call(
        api_client, verifier[1], {"key": issued.raw_key, "scopes": [scopes[0].code, missing.code]}
    ).json()
    assert (body["valid"], body["code"]) == (False, "INSUFFICIENT_SCOPE")
    assert missing.code not in body["application"]["scopes"]
    unknown = call(api_client, verifier[1], {"key": issued.raw_key, "scopes": ["made.up"]})
    assert unknown.json()["code"] == "INSUFFICIENT_SCOPE"


def test_python_callers_share_the_implementation(verifier, issued, other_organization):
    token, _ = verifier
    mine = services.api_key_verify(issued.raw_key, organization_id=token.organization_id)
    assert mine.valid and mine.as_dict()["application"]["name"] == "Booking widget"
    _, raw_token = verifier
    assert services.api_key_verify(issued.raw_key, verifier_token=raw_token).valid
    with pytest.raises(services.VerifierRefusedError):
        services.api_key_verify(issued.raw_key, verifier_token=raw_token + "x")
    assert services.api_key_verify("kp_nothing.x", verifier_token=raw_token).code == "NOT_FOUND"
    theirs = services.api_key_verify(issued.raw_key, organization_id=other_organization.pk)
    assert theirs.as_dict() == {"valid": False, "code": "NOT_FOUND"}
