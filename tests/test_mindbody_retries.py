"""When the Mindbody client sends a request again (connections.mindbody_retry), by verb.

Renew and issue are not idempotent: a POST that may have been processed is never sent
again; it goes again only when it provably never reached Mindbody, or on 429 with
``Retry-After``. Every request sent is counted for the daily call budget.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest

from connections.call_tally import TALLY, key_digest
from connections.clients import default_client
from connections.mindbody import MindbodyClient, MindbodyError, SiteCredentials
from tests.fake_mindbody import SANDBOX, FakeMindbody, Fault
from tests.support_mindbody import API_KEY, STAFF_PASSWORD, STAFF_USERNAME

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
RENEW, ISSUE = "/public/v6/usertoken/renew", "/public/v6/usertoken/issue"
REVOKE = "/public/v6/usertoken/revoke"
SITE = SiteCredentials(api_key=API_KEY, site_id=SANDBOX)


@pytest.fixture
def client(fake_mindbody):
    fake_mindbody.clock = lambda: NOW
    return default_client()


def _site(fake) -> SiteCredentials:
    token = fake.seed_token(SANDBOX, expires=NOW + dt.timedelta(hours=3))
    return SiteCredentials(api_key=API_KEY, site_id=SANDBOX, token=token)


def test_502_after_a_processed_renewal_is_not_sent_again(client, fake_mindbody) -> None:
    site = _site(fake_mindbody)
    fake_mindbody.fail_next(RENEW, Fault(502, after_processing=True))
    with pytest.raises(MindbodyError) as raised:
        client.renew_token(site)
    assert raised.value.maybe_processed and raised.value.status == 502
    assert len(fake_mindbody.requests_to(RENEW)) == 1
    assert fake_mindbody.tokens[site.token].renewals == 1  # Mindbody did renew it


def test_read_timeout_on_a_post_is_not_sent_again(client, fake_mindbody) -> None:
    fake_mindbody.fail_next(ISSUE, Fault(200, b"{}", delay=2.0))
    with pytest.raises(MindbodyError) as raised:
        client.issue_token(SITE, username=STAFF_USERNAME, password=STAFF_PASSWORD)
    assert raised.value.maybe_processed
    assert len(fake_mindbody.requests_to(ISSUE)) == 1


def test_429_with_retry_after_is_the_one_answer_a_post_is_sent_again_on(
    client, fake_mindbody
) -> None:
    site = _site(fake_mindbody)
    fake_mindbody.fail_next(RENEW, Fault(429, headers={"Retry-After": "0"}))
    client.renew_token(site)
    assert len(fake_mindbody.requests_to(RENEW)) == 2
    assert fake_mindbody.tokens[site.token].renewals == 1


def test_429_without_retry_after_is_not_sent_again_for_a_post(client, fake_mindbody) -> None:
    site = _site(fake_mindbody)
    fake_mindbody.fail_next(RENEW, Fault(429))
    with pytest.raises(MindbodyError) as raised:
        client.renew_token(site)
    assert raised.value.status == 429 and not raised.value.maybe_processed
    assert len(fake_mindbody.requests_to(RENEW)) == 1


def test_delete_keeps_its_retries_on_5xx(client, fake_mindbody) -> None:
    site = _site(fake_mindbody)
    fake_mindbody.fail_next(REVOKE, Fault(503), times=2)
    client.revoke_token(site)
    assert len(fake_mindbody.requests_to(REVOKE)) == 3
    assert fake_mindbody.tokens[site.token].revoked


def test_a_post_that_never_connected_is_sent_again_once_mindbody_listens() -> None:
    """Connection refused: the request provably never reached Mindbody, so it may go again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeMindbody()
    fake.api_keys.add(API_KEY)
    fake.add_staff(SANDBOX, STAFF_USERNAME, STAFF_PASSWORD)
    starter = threading.Timer(0.3, fake.start, kwargs={"port": port})
    starter.start()
    client = MindbodyClient(
        base_url=f"http://127.0.0.1:{port}/public/v6",
        connect_timeout=0.5,
        read_timeout=2,
        max_retries=4,
        backoff_factor=0.1,  # waits 0.1, 0.2, 0.4 s: Mindbody listens before the third
        retry_after_max=1,
        pool_size=1,
    )
    try:
        issued = client.issue_token(SITE, username=STAFF_USERNAME, password=STAFF_PASSWORD)
        assert issued.access_token in fake.tokens
        assert len(fake.requests_to(ISSUE)) == 1
    finally:
        starter.join()
        fake.stop()


def test_every_request_sent_is_counted_once_per_key_and_day(client, fake_mindbody) -> None:
    fake_mindbody.fail_next(
        "/public/v6/site/activationcode", Fault(429, headers={"Retry-After": "0"})
    )
    client.activation_code(SITE)  # two requests: the 429 and the answer
    client.location_count(SITE)
    today = dt.datetime.now(dt.UTC).date()
    assert TALLY.drain() == {(key_digest(API_KEY), today): 3}
    assert TALLY.drain() == {}
