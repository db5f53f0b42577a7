"""Issue 13: Keyport against a Mindbody that behaves anywhere within its published contract.

The fake ignores the token on reads, refuses a bad one only on staff-only endpoints and on
renew/revoke, answers renew with an untyped object, and says ``DeniedAccess`` for a bad API
key on every endpoint. Each test is one numbered point of the issue.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail

from apps_registry.models import AuditEvent
from connections import notifications, services
from connections.call_tally import key_digest
from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import (
    ISSUE_UNCERTAIN_MESSAGE,
    KEY_REFUSED_MESSAGE,
    TOKEN_REFUSED_MESSAGE,
    ConnectionActionError,
)
from tests.factories import make_connection
from tests.fake_mindbody import GENERIC_DENIAL, SANDBOX, TOKEN_INVALID, Fault
from tests.support_mindbody import API_KEY, OTHER_API_KEY, STAFF_PASSWORD, STAFF_USERNAME

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(hours=24)
RENEW = "/public/v6/usertoken/renew"
LOCATIONS, WAIVER = "/public/v6/site/locations", "/public/v6/site/liabilitywaiver"
KEY_CURE = KEY_REFUSED_MESSAGE.split("{")[0]


@pytest.fixture(autouse=True)
def _fixed_clock(fake_mindbody) -> None:
    fake_mindbody.clock = lambda: NOW


def _due(organization, actor, fake, name="Studio", *, expires=NOW + 2 * HOUR, renewals=0):
    connection = make_connection(organization, name=name, api_key=API_KEY, actor=actor)
    connection.staff_user_token = fake.seed_token(SANDBOX, expires=expires, renewals=renewals)
    connection.token_expires_at, connection.token_renewals = expires, renewals
    connection.status = ConnectionStatus.ACTIVE
    connection.save()
    return connection


def _reloaded(connection) -> MindbodySiteConnection:
    return MindbodySiteConnection.objects.get(pk=connection.pk)


# 1. A token Mindbody no longer accepts is caught by the next verification.
def test_a_token_revoked_at_mindbody_is_caught_by_the_next_verification(
    organization, actor, fake_mindbody
) -> None:
    site = _due(organization, actor, fake_mindbody, expires=NOW + 20 * HOUR)
    services.mindbody_connections_verify_all(now=NOW)
    assert _reloaded(site).status == ConnectionStatus.ACTIVE
    fake_mindbody.revoke_at_mindbody(site.staff_user_token)

    report = services.mindbody_connections_verify_all(now=NOW + HOUR)
    assert len(report.failures) == 1
    site = _reloaded(site)
    assert site.status == ConnectionStatus.TOKEN_EXPIRED
    assert site.last_error.startswith(TOKEN_REFUSED_MESSAGE.split("{")[0])
    assert TOKEN_INVALID in site.last_error  # Mindbody's own words
    [email] = mail.outbox
    assert email.subject == notifications.SUBJECTS[notifications.TOKEN_EXPIRED].format(
        name="Studio", site_id=SANDBOX
    )
    services.mindbody_connections_verify_all(now=NOW + 2 * HOUR)
    assert len(mail.outbox) == 1  # once per incident


def test_reads_prove_nothing_about_the_token_so_the_staff_only_endpoint_is_asked(
    organization, actor, fake_mindbody
) -> None:
    site = _due(organization, actor, fake_mindbody, expires=NOW + 20 * HOUR)
    services.mindbody_connections_verify_all(now=NOW)
    [read] = fake_mindbody.requests_to(LOCATIONS)
    [staff] = fake_mindbody.requests_to(WAIVER)
    assert "Authorization" not in read.headers
    assert staff.headers["Authorization"] == site.staff_user_token


def test_verifying_right_after_issuing_catches_a_token_mindbody_refuses(
    sandbox_connection, actor, fake_mindbody
) -> None:
    services.mindbody_token_issue(
        connection=sandbox_connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
    )
    fake_mindbody.revoke_at_mindbody(_reloaded(sandbox_connection).staff_user_token)
    with pytest.raises(ConnectionActionError):
        services.mindbody_connection_verify(connection=sandbox_connection, actor=actor, now=NOW)
    assert _reloaded(sandbox_connection).status == ConnectionStatus.TOKEN_EXPIRED


# 2. The renew answer is an untyped object.
@pytest.mark.parametrize("shape", ["empty", "token_only"])
def test_a_renewal_answered_without_an_expiry_moves_it_by_24_hours_and_counts_once(
    organization, actor, fake_mindbody, shape
) -> None:
    fake_mindbody.renew_body = shape
    site = _due(organization, actor, fake_mindbody)
    report = services.mindbody_tokens_renew_due(now=NOW)
    assert not report.failures
    assert [r.path for r in fake_mindbody.requests] == [RENEW]  # one call per site, as before
    renewed = _reloaded(site)
    assert renewed.token_expires_at == NOW + 2 * HOUR + DAY
    assert renewed.token_renewals == 1 == fake_mindbody.tokens[site.staff_user_token].renewals
    assert renewed.staff_user_token == site.staff_user_token
    event = AuditEvent.objects.filter(action="mindbody_token_renew").get()
    assert event.details["expiry_from"] == "rule"


def test_a_renewal_answered_with_the_issue_shape_takes_mindbodys_expiry(
    organization, actor, fake_mindbody
) -> None:
    fake_mindbody.renew_body = "issue"
    site = _due(organization, actor, fake_mindbody)
    fake_mindbody.tokens[site.staff_user_token].expires += HOUR  # Mindbody knows better
    services.mindbody_tokens_renew_due(now=NOW)
    assert _reloaded(site).token_expires_at == NOW + 3 * HOUR + DAY


# 3. Renew is not idempotent.
def test_a_502_after_a_processed_renewal_spends_exactly_one_renewal_in_the_pass(
    organization, actor, fake_mindbody
) -> None:
    site = _due(organization, actor, fake_mindbody)
    fake_mindbody.fail_next(RENEW, Fault(502, after_processing=True))
    report = services.mindbody_tokens_renew_due(now=NOW)
    assert len(report.failures) == 1
    assert len(fake_mindbody.requests_to(RENEW)) == 1
    at_mindbody = fake_mindbody.tokens[site.staff_user_token].renewals
    assert at_mindbody == 1 == _reloaded(site).token_renewals  # counted, though unconfirmed
    assert _reloaded(site).token_expires_at == NOW + 2 * HOUR  # only what we are sure of

    services.mindbody_tokens_renew_due(now=NOW + HOUR)  # the next pass is the retry
    assert fake_mindbody.tokens[site.staff_user_token].renewals == 2
    assert _reloaded(site).token_renewals == 2


# 4. A refusal is named by its cause, not by its status.
@pytest.mark.parametrize("generic", [False, True], ids=["mindbody-says-key", "access-denied"])
def test_a_replaced_api_key_gives_key_refused_not_token_expired(
    organization, actor, fake_mindbody, generic
) -> None:
    fake_mindbody.generic_denials = generic
    site = _due(organization, actor, fake_mindbody)
    fake_mindbody.api_keys.discard(API_KEY)  # replaced in the developer portal
    services.mindbody_tokens_renew_due(now=NOW)
    refused = _reloaded(site)
    assert refused.status == ConnectionStatus.KEY_REFUSED
    assert refused.last_error.startswith(KEY_CURE)
    assert refused.has_token  # the token is not the problem
    [email] = mail.outbox
    assert email.subject == notifications.SUBJECTS[notifications.KEY_REFUSED].format(
        name="Studio", site_id=SANDBOX
    )
    assert "developer portal" in email.body and API_KEY not in email.body
    services.mindbody_tokens_renew_due(now=NOW + HOUR)
    services.mindbody_connections_verify_all(now=NOW + HOUR)
    assert len(mail.outbox) == 1


def test_a_dead_token_with_generic_denials_is_still_a_dead_token(
    organization, actor, fake_mindbody
) -> None:
    fake_mindbody.generic_denials = True
    site = _due(organization, actor, fake_mindbody)
    fake_mindbody.revoke_at_mindbody(site.staff_user_token)
    services.mindbody_tokens_renew_due(now=NOW)
    assert _reloaded(site).status == ConnectionStatus.TOKEN_EXPIRED
    assert GENERIC_DENIAL in _reloaded(site).last_error


def test_revoke_keeps_the_token_when_mindbody_refuses_the_key(
    issued_connection, actor, fake_mindbody
) -> None:
    fake_mindbody.api_keys.discard(API_KEY)
    with pytest.raises(ConnectionActionError, match="API key was refused"):
        services.mindbody_token_revoke(connection=issued_connection, actor=actor)
    kept = _reloaded(issued_connection)
    assert kept.has_token and kept.status == ConnectionStatus.KEY_REFUSED


def test_revoke_forgets_a_token_mindbody_calls_invalid(
    issued_connection, actor, fake_mindbody
) -> None:
    fake_mindbody.generic_denials = True
    fake_mindbody.revoke_at_mindbody(issued_connection.staff_user_token)
    services.mindbody_token_revoke(connection=issued_connection, actor=actor)
    assert not _reloaded(issued_connection).has_token


def test_revoke_keeps_the_token_when_mindbody_fails(
    issued_connection, actor, fake_mindbody
) -> None:
    fake_mindbody.fail_next("/public/v6/usertoken/revoke", Fault(500), times=5)
    with pytest.raises(ConnectionActionError):
        services.mindbody_token_revoke(connection=issued_connection, actor=actor)
    assert _reloaded(issued_connection).has_token


def test_issuing_with_a_refused_key_names_the_key(sandbox_connection, actor, fake_mindbody) -> None:
    fake_mindbody.api_keys.discard(API_KEY)
    with pytest.raises(ConnectionActionError, match="API key was refused"):
        services.mindbody_token_issue(
            connection=sandbox_connection,
            username=STAFF_USERNAME,
            password=STAFF_PASSWORD,
            actor=actor,
        )
    assert _reloaded(sandbox_connection).status == ConnectionStatus.KEY_REFUSED


# 5. A new connection's key and site are checked before anyone issues a token.
def test_a_wrong_key_on_a_new_connection_is_reported_without_a_token(
    organization, actor, fake_mindbody
) -> None:
    connection = make_connection(organization, name="Typo", api_key=OTHER_API_KEY, actor=actor)
    result = services.mindbody_connection_check(connection=connection, actor=actor, now=NOW)
    assert isinstance(result, ConnectionActionError)
    assert str(result).startswith(KEY_CURE) and OTHER_API_KEY not in str(result)
    checked = _reloaded(connection)
    assert checked.status == ConnectionStatus.KEY_REFUSED and not checked.has_token
    assert [r.path for r in fake_mindbody.requests] == [LOCATIONS]

    fake_mindbody.api_keys.add(OTHER_API_KEY)  # the right key after all
    services.mindbody_connections_verify_all(now=NOW + DAY)
    assert _reloaded(connection).status == ConnectionStatus.PENDING
    assert _reloaded(connection).location_count == 2


# 6. Locations across pages; the token's user.
@pytest.mark.parametrize(("report_total", "calls"), [(False, 3), (True, 1)])
def test_locations_are_counted_across_pages(
    sandbox_connection, actor, fake_mindbody, report_total, calls
) -> None:
    fake_mindbody.locations = [{"Id": n, "Name": f"Studio {n}"} for n in range(250)]
    fake_mindbody.report_total = report_total
    services.mindbody_connection_verify(connection=sandbox_connection, actor=actor, now=NOW)
    assert _reloaded(sandbox_connection).location_count == 250
    assert len(fake_mindbody.requests_to(LOCATIONS)) == calls


@pytest.mark.parametrize(
    ("user", "stored"),
    [({"Id": 100000001, "Type": "Staff"}, ("Staff", 100000001)), ({"Id": 0, "Type": "Owner"}, ("Owner", 0))],
)  # fmt: skip
def test_the_tokens_user_type_and_id_are_kept(
    sandbox_connection, actor, fake_mindbody, user, stored
) -> None:
    fake_mindbody.user = user
    services.mindbody_token_issue(
        connection=sandbox_connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
    )
    issued = _reloaded(sandbox_connection)
    assert (issued.token_user_type, issued.token_user_id) == stored


def test_an_issue_answered_502_after_processing_is_not_sent_again(
    sandbox_connection, actor, fake_mindbody
) -> None:
    fake_mindbody.fail_next("/public/v6/usertoken/issue", Fault(502, after_processing=True))
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_token_issue(
            connection=sandbox_connection,
            username=STAFF_USERNAME,
            password=STAFF_PASSWORD,
            actor=actor,
        )
    assert str(raised.value).startswith(ISSUE_UNCERTAIN_MESSAGE.split("{")[0])
    assert len(fake_mindbody.requests_to("/public/v6/usertoken/issue")) == 1
    assert not _reloaded(sandbox_connection).has_token


def test_the_migration_names_stored_keys_by_their_digest(sandbox_connection) -> None:
    migration = importlib.import_module("connections.migrations.0003_mindbody_contract")
    MindbodySiteConnection.objects.update(api_key_digest="")
    migration.fill_key_digests(django_apps, None)
    assert _reloaded(sandbox_connection).api_key_digest == key_digest(API_KEY)
