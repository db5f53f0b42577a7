"""The renewal and verification passes (connections.services.passes) and their emails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection as db

from connections import notifications, services
from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import (
    RENEWALS_USED_UP_MESSAGE,
    TOKEN_LAPSED_MESSAGE,
    UNEXPECTED_FAILURE_MESSAGE,
)
from tests.factories import make_connection
from tests.fake_mindbody import SANDBOX, TOKEN_INVALID, Fault
from tests.support_mindbody import API_KEY

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
LOCATIONS = "/public/v6/site/locations"
WAIVER = "/public/v6/site/liabilitywaiver"


@pytest.fixture(autouse=True)
def _fixed_clock(fake_mindbody) -> None:
    fake_mindbody.clock = lambda: NOW


def _site(organization, actor, fake, name, *, expires, renewals=0, status=ConnectionStatus.ACTIVE):
    """A sandbox connection whose token the fake knows (set up directly, as after an issue)."""
    connection = make_connection(organization, name=name, api_key=API_KEY, actor=actor)
    connection.staff_user_token = fake.seed_token(SANDBOX, expires=expires, renewals=renewals)
    connection.token_expires_at = expires
    connection.token_renewals = renewals
    connection.status = status
    connection.save()
    return connection


def _reloaded(connection) -> MindbodySiteConnection:
    return MindbodySiteConnection.objects.get(pk=connection.pk)


def test_renews_only_tokens_lapsing_within_six_hours(organization, actor, fake_mindbody) -> None:
    soon = _site(organization, actor, fake_mindbody, "Soon", expires=NOW + 5 * HOUR)
    later = _site(organization, actor, fake_mindbody, "Later", expires=NOW + 7 * HOUR)
    report = services.mindbody_tokens_renew_due(now=NOW)
    assert [outcome.connection_id for outcome in report.outcomes] == [soon.pk]
    assert _reloaded(soon).token_expires_at == NOW + 29 * HOUR
    assert _reloaded(soon).token_renewals == 1
    assert _reloaded(later).token_renewals == 0
    assert len(fake_mindbody.requests_to("/public/v6/usertoken/renew")) == 1
    assert mail.outbox == []


def test_used_up_renewals_expire_the_token_and_email_once(
    organization, actor, fake_mindbody
) -> None:
    site = _site(
        organization, actor, fake_mindbody, "Front desk", expires=NOW + 2 * HOUR, renewals=7
    )
    report = services.mindbody_tokens_renew_due(now=NOW)
    reason = RENEWALS_USED_UP_MESSAGE.format(expires=NOW + 2 * HOUR)
    assert [outcome.message for outcome in report.failures] == [reason]
    assert _reloaded(site).status == ConnectionStatus.TOKEN_EXPIRED
    assert _reloaded(site).last_error == reason
    [email] = mail.outbox
    assert email.to == ["ops@serenity.test"]
    assert email.subject == notifications.SUBJECTS[notifications.TOKEN_EXPIRED].format(
        name="Front desk", site_id=SANDBOX
    )
    assert "A staff member must issue a new token" in email.body
    assert f"/admin/connections/mindbodysiteconnection/{site.pk}/change/" in email.body
    services.mindbody_tokens_renew_due(now=NOW + HOUR)
    services.mindbody_tokens_renew_due(now=NOW + 3 * HOUR)
    assert len(mail.outbox) == 1


def test_lapsed_token_becomes_token_expired(organization, actor, fake_mindbody) -> None:
    site = _site(organization, actor, fake_mindbody, "Lapsed", expires=NOW - HOUR)
    services.mindbody_tokens_renew_due(now=NOW)
    assert _reloaded(site).status == ConnectionStatus.TOKEN_EXPIRED
    assert _reloaded(site).last_error == TOKEN_LAPSED_MESSAGE.format(expires=NOW - HOUR)
    assert fake_mindbody.requests_to("/public/v6/usertoken/renew") == []
    assert len(mail.outbox) == 1


def test_token_refused_by_mindbody_becomes_token_expired(
    organization, actor, fake_mindbody
) -> None:
    site = _site(organization, actor, fake_mindbody, "Revoked", expires=NOW + HOUR)
    fake_mindbody.tokens[site.staff_user_token].revoked = True
    services.mindbody_tokens_renew_due(now=NOW)
    assert _reloaded(site).status == ConnectionStatus.TOKEN_EXPIRED
    assert TOKEN_INVALID in _reloaded(site).last_error
    assert len(mail.outbox) == 1


def test_one_bad_site_never_stops_the_others(organization, actor, fake_mindbody) -> None:
    sites = [
        _site(organization, actor, fake_mindbody, f"Site {n}", expires=NOW + HOUR) for n in range(5)
    ]
    rate_limited = Fault(429, headers={"Retry-After": "0"})
    fake_mindbody.fail_next("/public/v6/usertoken/renew", rate_limited, times=2)  # retried away
    fake_mindbody.tokens[sites[3].staff_user_token].revoked = True
    with db.cursor() as cursor:  # a key that no longer decrypts
        cursor.execute(
            "UPDATE connections_mindbodysiteconnection SET api_key = %s WHERE id = %s",
            ["gAAAAABnot-a-real-token", sites[4].pk],
        )
    report = services.mindbody_tokens_renew_due(now=NOW)
    assert len(report.outcomes) == 5
    assert {o.connection_id for o in report.failures} == {sites[3].pk, sites[4].pk}
    assert [_reloaded(s).token_renewals for s in sites[:3]] == [1, 1, 1]
    assert _reloaded(sites[3]).status == ConnectionStatus.TOKEN_EXPIRED


def test_calls_are_bounded_in_concurrency(organization, actor, fake_mindbody, settings) -> None:
    settings.MINDBODY_MAX_CONCURRENCY = 3
    fake_mindbody.latency = 0.1
    for n in range(9):
        _site(organization, actor, fake_mindbody, f"Site {n}", expires=NOW + HOUR)
    report = services.mindbody_tokens_renew_due(now=NOW)
    assert len(report.outcomes) == 9 and not report.failures
    assert report.peak_in_flight == 3
    assert fake_mindbody.max_in_flight == 3


def test_first_verification_failure_emails_once_and_recovery_reactivates(
    organization, actor, fake_mindbody
) -> None:
    site = _site(organization, actor, fake_mindbody, "Studio", expires=NOW + 20 * HOUR)
    healthy = _site(organization, actor, fake_mindbody, "Healthy", expires=NOW + 20 * HOUR)
    services.mindbody_connections_verify_all(now=NOW)
    assert _reloaded(site).status == ConnectionStatus.ACTIVE

    body = b'{"Error": {"Message": "Site is down for maintenance.", "Code": "InternalException"}}'
    for day in (1, 2):  # fails two days running: one email
        fake_mindbody.fail_next(WAIVER, Fault(400, body=body), token=site.staff_user_token)
        report = services.mindbody_connections_verify_all(now=NOW + day * HOUR)
        assert len(report.failures) == 1
    assert _reloaded(site).status == ConnectionStatus.FAILING
    assert "Site is down for maintenance." in _reloaded(site).last_error
    assert _reloaded(healthy).status == ConnectionStatus.ACTIVE
    [email] = mail.outbox
    assert email.subject == notifications.SUBJECTS[notifications.FAILING].format(
        name="Studio", site_id=SANDBOX
    )
    assert "Site is down for maintenance." in email.body

    services.mindbody_connections_verify_all(now=NOW + 3 * HOUR)
    assert _reloaded(site).status == ConnectionStatus.ACTIVE
    assert _reloaded(site).last_error == ""
    fake_mindbody.fail_next(WAIVER, Fault(400, body=body), token=site.staff_user_token)
    services.mindbody_connections_verify_all(now=NOW + 4 * HOUR)
    assert len(mail.outbox) == 2


def test_verification_checks_key_and_site_of_sites_without_a_live_token(
    organization, actor, fake_mindbody
) -> None:
    expired = _site(
        organization, actor, fake_mindbody, "Expired", expires=NOW + HOUR, status="token_expired"
    )
    tokenless = make_connection(organization, name="No token", api_key=API_KEY, actor=actor)
    report = services.mindbody_connections_verify_all(now=NOW)
    assert len(report.outcomes) == 2 and not report.failures
    assert [r.path for r in fake_mindbody.requests] == [LOCATIONS, LOCATIONS]
    assert all("Authorization" not in r.headers for r in fake_mindbody.requests)
    assert _reloaded(expired).status == ConnectionStatus.TOKEN_EXPIRED  # never back to active
    assert _reloaded(tokenless).status == ConnectionStatus.PENDING
    assert _reloaded(tokenless).site_checked_at == NOW


def test_disabled_alerts_send_no_email(organization, actor, fake_mindbody) -> None:
    organization.alerts_enabled = False
    organization.save()
    _site(organization, actor, fake_mindbody, "Quiet", expires=NOW - HOUR)
    services.mindbody_tokens_renew_due(now=NOW)
    assert mail.outbox == []


def test_unexpected_error_is_reported_per_site(organization, actor, fake_mindbody) -> None:
    site = _site(organization, actor, fake_mindbody, "Odd", expires=NOW + HOUR)
    fake_mindbody.fail_next("/public/v6/usertoken/renew", Fault(200, b"<html>OK</html>"))
    report = services.mindbody_tokens_renew_due(now=NOW)
    [failure] = report.failures
    assert failure.connection_id == site.pk
    assert "could not be understood" in failure.message
    assert UNEXPECTED_FAILURE_MESSAGE not in failure.message
