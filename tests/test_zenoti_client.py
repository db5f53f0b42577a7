"""The live-check client (apps_registry.zenoti) against the fake Zenoti on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from apps_registry import zenoti
from apps_registry.zenoti import (
    PASSED,
    REFUSED,
    UNREACHABLE,
    RateLimiter,
    ZenotiClient,
)
from tests.fake_zenoti import LOWER_ERROR, UNKNOWN_KEY_MESSAGE, UPPER_ERROR, FakeZenoti, Fault
from tests.support_smtp import free_port
from tests.support_zenoti import READ_TIMEOUT, zenoti_key


@pytest.fixture
def fake() -> Iterator[FakeZenoti]:
    server = FakeZenoti().start()
    yield server
    server.stop()


def client(**overrides: object) -> ZenotiClient:
    options: dict = {
        "connect_timeout": 2.0,
        "read_timeout": READ_TIMEOUT,
        "max_retries": 2,
        "retry_after_max": 2,
        "limiter": RateLimiter(60_000),
    }
    return ZenotiClient(**{**options, **overrides})


def test_a_known_key_passes_and_is_sent_as_apikey_to_centers(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    answer = client().check_key(base_url=fake.url + "/", api_key=key)
    assert answer.result == PASSED and answer.passed
    assert answer.text == zenoti.PASSED_MESSAGE.format(count=2)
    (request,) = fake.requests
    assert (request.method, request.path) == ("GET", "/v1/centers")
    assert request.headers["Authorization"] == f"apikey {key}"


def test_an_unknown_key_is_refused_with_zenotis_own_words(fake) -> None:
    answer = client().check_key(base_url=fake.url, api_key=zenoti_key())
    assert answer.result == REFUSED and answer.status == 401
    assert answer.message == UNKNOWN_KEY_MESSAGE
    assert UNKNOWN_KEY_MESSAGE in answer.text and "HTTP 401" in answer.text


@pytest.mark.parametrize(
    ("shape", "message", "code"),
    [
        ("lower", LOWER_ERROR["message"], str(LOWER_ERROR["code"])),
        ("upper", UPPER_ERROR["Message"], str(UPPER_ERROR["StatusCode"])),
    ],
)
def test_an_error_object_with_http_200_is_a_refusal(fake, shape, message, code) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.turn_off(key, shape=shape)
    answer = client().check_key(base_url=fake.url, api_key=key)
    assert answer.result == REFUSED and answer.status == 200
    assert (answer.message, answer.code) == (message, code)
    assert answer.text == zenoti.REFUSED_MESSAGE.format(message=message, code=code, status=200)


def test_a_429_waits_for_retry_after_then_retries(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.fail_next(
        Fault(429, {"error": {"code": 429, "message": "Too many"}}, {"Retry-After": "1"})
    )
    started = time.monotonic()
    answer = client().check_key(base_url=fake.url, api_key=key)
    assert answer.passed
    assert len(fake.requests) == 2
    assert fake.requests[1].at - fake.requests[0].at >= 0.95
    assert time.monotonic() - started < 3


def test_a_retry_after_beyond_the_bound_is_not_waited_for(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.fail_next(Fault(429, b"", {"Retry-After": "3600"}))
    started = time.monotonic()
    answer = client().check_key(base_url=fake.url, api_key=key)
    assert answer.result == UNREACHABLE
    assert answer.text == zenoti.RATE_LIMITED_MESSAGE.format(seconds=3600)
    assert len(fake.requests) == 1 and time.monotonic() - started < 1


def test_429_every_time_gives_up_after_the_retries(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.fail_next(Fault(429, b"", {"Retry-After": "0"}), times=10)
    answer = client(max_retries=2).check_key(base_url=fake.url, api_key=key)
    assert answer.result == UNREACHABLE and answer.status == 429
    assert len(fake.requests) == 3


def test_a_slow_answer_times_out_in_plain_words(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.fail_next(Fault(200, {"centers": []}, delay=READ_TIMEOUT + 1))
    started = time.monotonic()
    answer = client().check_key(base_url=fake.url, api_key=key)
    assert answer.result == UNREACHABLE
    assert answer.text == zenoti.TIMEOUT_MESSAGE.format(seconds=READ_TIMEOUT)
    assert time.monotonic() - started < READ_TIMEOUT + 0.8


def test_nobody_listening_is_reported_in_plain_words() -> None:
    port = free_port()
    answer = client().check_key(base_url=f"http://127.0.0.1:{port}", api_key=zenoti_key())
    assert answer.result == UNREACHABLE
    reason = "connection refused"
    assert answer.text == zenoti.UNREACHABLE_MESSAGE.format(host=f"127.0.0.1:{port}", reason=reason)


def test_a_body_that_is_not_json_never_passes(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.fail_next(Fault(200, b"<html>maintenance</html>"))
    answer = client().check_key(base_url=fake.url, api_key=key)
    assert answer.result == UNREACHABLE
    assert answer.text == zenoti.UNREADABLE_MESSAGE.format(status=200)


def test_a_server_error_does_not_judge_the_key(fake) -> None:
    fake.fail_next(Fault(503, b"busy"))
    answer = client().check_key(base_url=fake.url, api_key=zenoti_key())
    assert answer.result == UNREACHABLE
    assert answer.text == zenoti.SERVER_ERROR_MESSAGE.format(status=503)


def test_an_echoed_key_never_reaches_the_message(fake) -> None:
    key = zenoti_key()
    fake.fail_next(Fault(401, {"error": {"code": "InvalidKey", "message": f"Key {key} unknown"}}))
    answer = client().check_key(base_url=fake.url, api_key=key)
    assert answer.result == REFUSED
    assert key not in answer.text and key not in answer.message
    assert zenoti.HIDDEN in answer.message


def test_the_rate_limiter_spaces_calls_per_organization() -> None:
    now = [100.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert [limiter.reserve("a") for _ in range(3)] == [0.0, 1.0, 2.0]
    assert limiter.reserve("b") == 0.0  # another organization has its own budget
    limiter.hold("b", 30)
    assert limiter.reserve("b") == 30.0
    now[0] += 10
    assert limiter.reserve("a") == 0.0


def test_a_person_waiting_gets_the_429_at_once(fake) -> None:
    key = zenoti_key()
    fake.add_key(key)
    fake.fail_next(Fault(429, b"", {"Retry-After": "1"}))
    answer = client().check_key(base_url=fake.url, api_key=key, retries=0)
    assert answer.result == UNREACHABLE
    assert answer.text == zenoti.RATE_LIMITED_MESSAGE.format(seconds=1)
    assert len(fake.requests) == 1


def test_retry_after_as_an_http_date_or_garbage() -> None:
    soon = time.time() + 30
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(soon))
    assert 28 <= zenoti.retry_after_seconds(stamp) <= 31
    assert zenoti.retry_after_seconds("soon-ish") == zenoti.DEFAULT_RETRY_AFTER
    assert zenoti.retry_after_seconds(None) == zenoti.DEFAULT_RETRY_AFTER
