"""The Mindbody client (connections.mindbody) against a real fake server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from typing import Any

import pytest

from connections.clients import default_client
from connections.mindbody import (
    NOT_JSON_MESSAGE,
    REFUSED_MESSAGE,
    TIMEOUT_MESSAGE,
    UNREACHABLE_MESSAGE,
    IssuedToken,
    MindbodyClient,
    MindbodyError,
    RenewedToken,
    SiteCredentials,
    parse_expires,
)
from tests.fake_mindbody import (
    INVALID_KEY,
    RENEWAL_LIMIT,
    SANDBOX,
    STAFF_AUTH_FAILED,
    TOKEN_INVALID,
    Fault,
)
from tests.support_mindbody import API_KEY, READ_TIMEOUT, STAFF_PASSWORD, STAFF_USERNAME

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
WRONG_KEY = "mbk_wrong_5555666677778888"
SITE = SiteCredentials(api_key=API_KEY, site_id=SANDBOX)


@pytest.fixture
def client(fake_mindbody):
    fake_mindbody.clock = lambda: NOW
    return default_client()


def _site_with(fake, *, expires=None, renewals=0):
    token = fake.seed_token(
        SANDBOX, expires=expires or NOW + dt.timedelta(hours=3), renewals=renewals
    )
    return SiteCredentials(api_key=API_KEY, site_id=SANDBOX, token=token), token


def test_issue_posts_username_and_password_with_key_and_site(client, fake_mindbody) -> None:
    issued = client.issue_token(SITE, username=STAFF_USERNAME, password=STAFF_PASSWORD)

    [sent] = fake_mindbody.requests_to("/public/v6/usertoken/issue")
    assert sent.method == "POST"
    assert sent.headers["API-Key"] == API_KEY
    assert sent.headers["SiteId"] == "-99"
    assert sent.headers["Content-Type"] == "application/json"
    assert "Authorization" not in sent.headers
    assert sent.json() == {"Username": STAFF_USERNAME, "Password": STAFF_PASSWORD}
    assert issued.access_token in fake_mindbody.tokens
    assert issued.expires_at == NOW + dt.timedelta(hours=24)
    assert issued.token_type == "Bearer"


def test_renew_sends_the_bare_token_and_accepts_an_empty_object(client, fake_mindbody) -> None:
    site, token = _site_with(fake_mindbody)
    renewed = client.renew_token(site)

    [sent] = fake_mindbody.requests_to("/public/v6/usertoken/renew")
    assert (sent.method, sent.headers["Authorization"]) == ("POST", token)
    assert (sent.headers["API-Key"], sent.headers["SiteId"]) == (API_KEY, "-99")
    assert renewed == RenewedToken()  # "{}": the caller applies the documented rule
    assert fake_mindbody.tokens[token].renewals == 1


@pytest.mark.parametrize(
    ("shape", "has_token", "has_expiry"),
    [("empty", False, False), ("token_only", True, False), ("issue", True, True)],
)
def test_renew_reads_whatever_the_object_carries(
    client, fake_mindbody, shape, has_token, has_expiry
) -> None:
    fake_mindbody.renew_body = shape
    site, token = _site_with(fake_mindbody)
    renewed = client.renew_token(site)
    assert renewed.access_token == (token if has_token else "")
    assert renewed.expires_at == (NOW + dt.timedelta(hours=3 + 24) if has_expiry else None)


def test_eighth_renewal_is_refused_with_mindbodys_code(client, fake_mindbody) -> None:
    site, _ = _site_with(fake_mindbody, renewals=7)
    with pytest.raises(MindbodyError) as raised:
        client.renew_token(site)
    error = raised.value
    assert (error.status, error.code, error.message) == (
        400,
        "TokenRenewalLimitReached",
        RENEWAL_LIMIT,
    )
    assert str(error) == REFUSED_MESSAGE.format(
        message=RENEWAL_LIMIT, code="TokenRenewalLimitReached", status=400
    )


def test_expired_token_is_refused(client, fake_mindbody) -> None:
    site, _ = _site_with(fake_mindbody, expires=NOW - dt.timedelta(minutes=1))
    with pytest.raises(MindbodyError) as raised:
        client.renew_token(site)
    assert (raised.value.status, raised.value.message) == (401, TOKEN_INVALID)


def test_revoke_deletes_and_the_token_stops_working(client, fake_mindbody) -> None:
    site, token = _site_with(fake_mindbody)
    client.revoke_token(site)
    [sent] = fake_mindbody.requests_to("/public/v6/usertoken/revoke")
    assert (sent.method, sent.headers["Authorization"], sent.body) == ("DELETE", token, b"")
    with pytest.raises(MindbodyError):
        client.staff_check(site)


def test_location_count_sends_key_and_site_without_the_token(client, fake_mindbody) -> None:
    site, _ = _site_with(fake_mindbody)
    assert client.location_count(site) == 2
    [sent] = fake_mindbody.requests_to("/public/v6/site/locations")
    assert sent.method == "GET"
    assert (sent.headers["API-Key"], sent.headers["SiteId"]) == (API_KEY, "-99")
    assert "Authorization" not in sent.headers
    assert sent.query == {"request.limit": "100", "request.offset": "0"}


def test_staff_check_sends_the_token_to_a_staff_only_endpoint(client, fake_mindbody) -> None:
    site, token = _site_with(fake_mindbody)
    client.staff_check(site)
    [sent] = fake_mindbody.requests_to("/public/v6/site/liabilitywaiver")
    assert (sent.method, sent.headers["Authorization"]) == ("GET", token)


def test_activation_code_needs_no_token(client, fake_mindbody) -> None:
    activation = client.activation_code(SITE)
    [sent] = fake_mindbody.requests_to("/public/v6/site/activationcode")
    assert "Authorization" not in sent.headers
    assert activation.code.startswith("ACT--99-")
    assert activation.link.startswith("https://clients.mindbodyonline.com/ActivateLink?code=")


def test_wrong_password_carries_mindbodys_words_not_the_password(client, fake_mindbody) -> None:
    with pytest.raises(MindbodyError) as raised:
        client.issue_token(SITE, username=STAFF_USERNAME, password="Wrong-" + STAFF_PASSWORD)
    error = raised.value
    assert (error.status, error.code, error.message) == (403, "DeniedAccess", STAFF_AUTH_FAILED)
    assert str(error) == REFUSED_MESSAGE.format(
        message=STAFF_AUTH_FAILED, code="DeniedAccess", status=403
    )
    assert STAFF_PASSWORD not in str(error)


def test_wrong_api_key_echoed_by_mindbody_is_hidden(client, fake_mindbody) -> None:
    with pytest.raises(MindbodyError) as raised:
        client.activation_code(SiteCredentials(api_key=WRONG_KEY, site_id=SANDBOX))
    assert raised.value.status == 401
    assert WRONG_KEY not in str(raised.value)
    assert raised.value.message == INVALID_KEY.format(key="[hidden]")


def test_429_waits_for_retry_after_then_succeeds(client, fake_mindbody) -> None:
    fake_mindbody.fail_next(
        "/public/v6/site/activationcode", Fault(429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    client.activation_code(SITE)
    assert time.monotonic() - started >= 1.0
    assert len(fake_mindbody.requests_to("/public/v6/site/activationcode")) == 2


def test_500_on_a_read_is_retried_with_backoff_then_succeeds(client, fake_mindbody) -> None:
    fake_mindbody.fail_next("/public/v6/site/activationcode", Fault(500), times=2)
    client.activation_code(SITE)
    assert len(fake_mindbody.requests_to("/public/v6/site/activationcode")) == 3


def test_500_beyond_the_retries_reports_mindbodys_error(client, fake_mindbody) -> None:
    body = b'{"Error": {"Message": "Something broke.", "Code": "InternalException"}}'
    fake_mindbody.fail_next("/public/v6/site/activationcode", Fault(500, body=body), times=5)
    with pytest.raises(MindbodyError) as raised:
        client.activation_code(SITE)
    assert (raised.value.status, raised.value.code) == (500, "InternalException")
    assert len(fake_mindbody.requests_to("/public/v6/site/activationcode")) == 3


def test_slow_answer_times_out_once_without_retry(client, fake_mindbody) -> None:
    fake_mindbody.fail_next("/public/v6/site/activationcode", Fault(200, b"{}", delay=2.0))
    started = time.monotonic()
    with pytest.raises(MindbodyError) as raised:
        client.activation_code(SITE)
    assert time.monotonic() - started < 1.5
    assert str(raised.value) == TIMEOUT_MESSAGE.format(host="127.0.0.1", seconds=READ_TIMEOUT)
    assert len(fake_mindbody.requests_to("/public/v6/site/activationcode")) == 1


def test_non_json_error_body_reports_the_http_status(client, fake_mindbody) -> None:
    page = b"<html><body>Forbidden by the edge</body></html>"
    fake_mindbody.fail_next("/public/v6/site/locations", Fault(403, body=page))
    site, _ = _site_with(fake_mindbody)
    with pytest.raises(MindbodyError) as raised:
        client.location_count(site)
    assert str(raised.value) == NOT_JSON_MESSAGE.format(status=403)
    assert (raised.value.status, raised.value.code) == (403, "")


def test_unreachable_server_is_one_plain_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MindbodyClient(
        base_url=f"http://127.0.0.1:{port}/public/v6",
        connect_timeout=0.5,
        read_timeout=0.5,
        max_retries=1,
        backoff_factor=0.01,
        retry_after_max=1,
        pool_size=1,
    )
    with pytest.raises(MindbodyError) as raised:
        client.activation_code(SITE)
    assert str(raised.value) == UNREACHABLE_MESSAGE.format(cause="127.0.0.1 refused the connection")


def test_no_log_record_carries_a_key_token_or_password(client, fake_mindbody, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    issued = client.issue_token(SITE, username=STAFF_USERNAME, password=STAFF_PASSWORD)
    site = SiteCredentials(api_key=API_KEY, site_id=SANDBOX, token=issued.access_token)
    fake_mindbody.fail_next("/public/v6/usertoken/renew", Fault(429, headers={"Retry-After": "0"}))
    client.renew_token(site)
    client.location_count(site)
    client.staff_check(site)
    with pytest.raises(MindbodyError):
        client.issue_token(SITE, username=STAFF_USERNAME, password="nope-" + STAFF_PASSWORD)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "/usertoken/renew" in logged
    for secret in (API_KEY, STAFF_PASSWORD, issued.access_token):
        assert secret not in logged


def test_reprs_hide_secrets() -> None:
    token = IssuedToken("tok_abcdef123456", NOW)
    assert "tok_abcdef123456" not in repr(token)
    assert API_KEY not in repr(SiteCredentials(api_key=API_KEY, site_id=SANDBOX, token="t0k3n"))


@pytest.mark.parametrize(
    "value",
    ["2026-03-02T09:30:00Z", "2026-03-02T09:30:00", "2026-03-02T09:30:00.0000000Z",
     "2026-03-02T04:30:00-05:00"],
)  # fmt: skip
def test_expiry_is_read_as_utc(value) -> None:
    assert parse_expires(value) == NOW


def test_network_failures_name_the_host_and_the_cause_in_plain_words() -> None:
    import socket

    import requests
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    from connections.mindbody_errors import network_cause

    url = "https://api.mindbodyonline.com/public/v6/site/locations"
    gaierror = socket.gaierror(-2, "Name or service not known")
    nothing: Any = None  # requests' own wrapping, minus the pool and connection objects
    unresolved = requests.ConnectionError(
        MaxRetryError(
            nothing, url, NameResolutionError("api.mindbodyonline.com", nothing, gaierror)
        )
    )
    assert network_cause(unresolved, url) == "could not resolve api.mindbodyonline.com"
    tls = requests.exceptions.SSLError("certificate verify failed")
    assert network_cause(tls, url) == "the secure (TLS) connection to api.mindbodyonline.com failed"


def test_a_failure_while_serving_a_page_carries_its_request_id(monkeypatch) -> None:
    from connections.mindbody_errors import with_request_id
    from plumbing.request_id import current_request_id

    assert with_request_id() == ""
    token = current_request_id.set("req-1234abcd")
    try:
        assert with_request_id() == " Request id: req-1234abcd."
    finally:
        current_request_id.reset(token)
