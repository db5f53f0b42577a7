"""The verification API's refusals: 401 (audited), 400, 413 and 429 with Retry-After."""

from __future__ import annotations

import codecs
import datetime as dt
import json

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django.views.debug import ExceptionReporter

from apps_registry import services
from apps_registry.api import verify
from apps_registry.models import AuditEvent
from apps_registry.services import verifier_auth
from tests.support_verify import VERIFY_URL, call


def _refusals():
    return list(
        AuditEvent.objects.filter(action="verifier_token_refused")
        .order_by("id")
        .values_list("details__reason", "actor_label")
    )


@pytest.mark.parametrize(
    "header",
    [None, "Token abc", "Bearer ", "Basic dXNlcjpwYXNz"],
    ids=["missing", "other-scheme", "empty", "basic"],
)
def test_missing_bearer_token_is_401(api_client, issued, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = call(api_client, None, {"key": issued.raw_key}, **extra)
    assert response.status_code == 401
    assert response.json() == {"detail": verify.MISSING_TOKEN_MESSAGE}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401_and_audited_with_its_prefix_only(api_client, issued):
    guessed = "kpv_Zz9Yy8Xx.this-is-not-a-real-verifier-token"
    response = call(api_client, guessed, {"key": issued.raw_key})
    assert response.status_code == 401
    assert response.json() == {"detail": verifier_auth.VERIFIER_UNKNOWN_MESSAGE}
    assert _refusals() == [("unknown", "verifier:kpv_Zz9Yy8Xx")]
    event = AuditEvent.objects.get(action="verifier_token_refused")
    assert "this-is-not-a-real" not in str(event.details) + event.actor_label
    # A pasted API key in the header is refused without recording any of it.
    call(api_client, issued.raw_key, {"key": issued.raw_key})
    assert _refusals()[-1] == ("unknown", "verifier:unknown")


def test_revoked_token_is_401(api_client, verifier, issued, actor):
    token, raw = verifier
    services.verifier_token_revoke(verifier_token=token, actor=actor)
    response = call(api_client, raw, {"key": issued.raw_key})
    assert response.status_code == 401
    assert response.json() == {"detail": verifier_auth.VERIFIER_REVOKED_MESSAGE}
    event = AuditEvent.objects.get(action="verifier_token_refused")
    assert (event.details["reason"], event.organization_id, event.target_id) == (
        "revoked",
        token.organization_id,
        str(token.pk),
    )


def test_expired_token_is_401(api_client, organization, actor, issued):
    soon = timezone.now() + dt.timedelta(hours=1)
    _, raw = services.verifier_token_create(
        organization=organization, name="Short", actor=actor, expires_at=soon
    )
    assert call(api_client, raw, {"key": issued.raw_key}).status_code == 200
    with time_machine.travel(soon + dt.timedelta(seconds=1), tick=False):
        response = call(api_client, raw, {"key": issued.raw_key})
    assert response.status_code == 401
    assert response.json() == {"detail": verifier_auth.VERIFIER_EXPIRED_MESSAGE}
    assert _refusals() == [("expired", "verifier:" + raw.split(".")[0])]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json", verify.BODY_NOT_JSON_MESSAGE),
        (b"", "body: Field required"),
        (b"[]", "body"),
        (b"{}", "key: Field required"),
        (b'{"key": 12}', "key: Input should be a valid string"),
        (b'{"key": ""}', "key: String should have at least 1 character"),
        (b'{"key": "k", "scopes": "guests.read"}', "scopes: Input should be a valid list"),
        (b'{"key": "k", "extra": 1}', "extra: Extra inputs are not permitted"),
    ],
)
def test_malformed_body_is_400_with_a_plain_message(api_client, verifier, body, problem):
    response = call(api_client, verifier[1], body)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert problem in detail
    assert "Field required" in detail or "{" in detail


def test_body_over_the_limit_is_413_before_anything_else(api_client, verifier):
    big = b'{"key": "' + b"k" * verify.MAX_BODY_BYTES + b'"}'
    response = call(api_client, verifier[1], big)
    assert response.status_code == 413
    assert response.json() == {"detail": verify.BODY_TOO_LARGE_MESSAGE}
    assert call(api_client, None, big).status_code == 413


def test_failed_verifications_are_limited_per_verifier(
    api_client, verifier, organization, actor, issued, settings
):
    settings.KEYPORT_VERIFY_FAILURE_LIMIT = 3
    _, raw = verifier
    _, other_raw = services.verifier_token_create(
        organization=organization, name="Other gateway", actor=actor
    )
    for number in range(3):
        assert call(api_client, raw, {"key": f"kp_guess{number}.x"}).status_code == 200
    throttled = call(api_client, raw, {"key": "kp_guess9.x"})
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["detail"].startswith("Too many failed verifications")
    # Valid keys still verify, and another verifier of the same organization is not limited.
    assert call(api_client, raw, {"key": issued.raw_key}).json()["code"] == "VALID"
    assert call(api_client, other_raw, {"key": "kp_guess9.x"}).status_code == 200


def test_wrong_method_is_not_served(api_client, verifier):
    response = api_client.get(VERIFY_URL, HTTP_AUTHORIZATION=f"Bearer {verifier[1]}")
    assert response.status_code == 405


def test_interactive_docs_are_for_logged_in_staff_only(client, operator_client, operator):
    anonymous = client.get("/api/v1/docs")
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    page = operator_client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.content
    assert client.get("/api/v1/openapi.json").status_code == 200  # the document is public


@pytest.mark.parametrize("path", ["fast", "ninja"])
def test_an_error_report_shows_neither_the_key_nor_the_token(api_client, verifier, path):
    """Django's error report lists each frame's local variables: a crash while verifying (here
    a misconfigured failure window) must not put the presented key or token in it, on the
    fast path or on ninja's (a body with a byte order mark takes that one)."""
    _, token = verifier
    presented = "kp_Zz9Yy8Xx.this-part-is-secret"
    body = json.dumps({"key": presented}).encode()
    if path == "ninja":
        body = codecs.BOM_UTF8 + body
    with (
        override_settings(KEYPORT_VERIFY_FAILURE_WINDOW="sixty"),
        pytest.raises(TypeError) as crash,
    ):
        call(api_client, token, body)
    reporter = ExceptionReporter(None, crash.type, crash.value, crash.tb)
    served = [
        frame
        for frame in reporter.get_traceback_data()["frames"]
        if "/django/core/handlers/" in frame["filename"]
        or "/ninja/" in frame["filename"]
        or "/apps_registry/" in frame["filename"]
    ]
    assert "_verified" in {frame["function"] for frame in served}  # the frames are reported
    shown = " ".join(str(value) for frame in served for _, value in frame["vars"])
    assert "'********************'" in shown  # and their variables cleansed
    assert "this-part-is-secret" not in shown and token not in shown
