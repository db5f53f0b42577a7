"""Services of one connection (connections.services): create, issue, renew, revoke, verify."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps_registry.models import AuditEvent
from connections import services
from connections.mindbody import REFUSED_MESSAGE
from connections.models import (
    API_KEY_WHITESPACE_MESSAGE,
    SITE_ID_INVALID_MESSAGE,
    ConnectionStatus,
    MindbodySiteConnection,
)
from connections.services.outcomes import (
    ACTIVATION_FETCHED_MESSAGE,
    ACTIVATION_PENDING_MESSAGE,
    RENEWAL_UNCERTAIN_MESSAGE,
    RENEWALS_USED_UP_MESSAGE,
    SITE_CHECKED_MESSAGE,
    TOKEN_ISSUED_MESSAGE,
    TOKEN_LAPSED_MESSAGE,
    TOKEN_RENEWED_MESSAGE,
    TOKEN_REVOKED_MESSAGE,
    VERIFIED_MESSAGE,
    ConnectionActionError,
)
from tests.factories import make_connection
from tests.fake_mindbody import NOT_ACTIVATED, STAFF_AUTH_FAILED, Fault
from tests.support_mindbody import API_KEY, LIVE_SITE, STAFF_PASSWORD, STAFF_USERNAME

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(hours=24)


@pytest.fixture(autouse=True)
def _fixed_clock(fake_mindbody) -> None:
    fake_mindbody.clock = lambda: NOW


def _actions(connection) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(connection.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("site_id", [0, -1, -98, -100])
def test_site_id_must_be_sandbox_or_positive(organization, actor, site_id) -> None:
    with pytest.raises(ValidationError) as raised:
        services.mindbody_connection_create(
            organization=organization, name="Bad", site_id=site_id, api_key=API_KEY, actor=actor
        )
    assert raised.value.message_dict["site_id"] == [SITE_ID_INVALID_MESSAGE]


@pytest.mark.parametrize("api_key", ["abc def", "abc\ndef", " abcdef", ""])
def test_api_key_must_be_one_word(organization, actor, api_key) -> None:
    with pytest.raises(ValidationError) as raised:
        services.mindbody_connection_create(
            organization=organization, name="Bad", site_id=-99, api_key=api_key, actor=actor
        )
    assert "api_key" in raised.value.message_dict
    if api_key:
        assert raised.value.message_dict["api_key"] == [API_KEY_WHITESPACE_MESSAGE]
    assert not MindbodySiteConnection.objects.exists()


def test_create_is_pending_and_audited(sandbox_connection) -> None:
    assert sandbox_connection.status == ConnectionStatus.PENDING
    assert sandbox_connection.is_sandbox and not sandbox_connection.has_token
    assert _actions(sandbox_connection) == ["mindbody_connection_create"]


def test_issue_keeps_the_token_and_not_the_password(sandbox_connection, actor) -> None:
    outcome = services.mindbody_token_issue(
        connection=sandbox_connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
    )
    connection = MindbodySiteConnection.objects.get(pk=sandbox_connection.pk)
    assert outcome.message == TOKEN_ISSUED_MESSAGE.format(
        username=STAFF_USERNAME, expires=NOW + DAY
    )
    assert connection.has_token and connection.token_expires_at == NOW + DAY
    assert (connection.token_renewals, connection.staff_username) == (0, STAFF_USERNAME)
    assert connection.status == ConnectionStatus.PENDING
    audit = AuditEvent.objects.get(action="mindbody_token_issue")
    assert audit.details["staff_username"] == STAFF_USERNAME


def test_wrong_password_keeps_mindbodys_words_and_changes_no_token(
    sandbox_connection, actor
) -> None:
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_token_issue(
            connection=sandbox_connection, username=STAFF_USERNAME, password="nope", actor=actor
        )
    expected = REFUSED_MESSAGE.format(message=STAFF_AUTH_FAILED, code="DeniedAccess", status=403)
    assert str(raised.value) == expected
    connection = MindbodySiteConnection.objects.get(pk=sandbox_connection.pk)
    assert connection.last_error == expected and not connection.has_token
    failed = AuditEvent.objects.get(action="mindbody_token_issue_failed")
    assert failed.details["code"] == "DeniedAccess" and failed.details["http_status"] == 403


def test_verify_marks_active(issued_connection, actor) -> None:
    outcome = services.mindbody_connection_verify(
        connection=issued_connection, actor=actor, now=NOW
    )
    issued_connection.refresh_from_db()
    assert outcome.message == VERIFIED_MESSAGE.format(count=2)
    assert issued_connection.status == ConnectionStatus.ACTIVE
    assert issued_connection.last_verified_at == NOW


def test_failed_verification_never_leaves_it_active(
    issued_connection, actor, fake_mindbody
) -> None:
    services.mindbody_connection_verify(connection=issued_connection, actor=actor, now=NOW)
    body = b'{"Error": {"Message": "Site is down for maintenance.", "Code": "InternalException"}}'
    fake_mindbody.fail_next("/public/v6/site/liabilitywaiver", Fault(400, body=body))
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_connection_verify(connection=issued_connection, actor=actor, now=NOW)
    issued_connection.refresh_from_db()
    assert issued_connection.status == ConnectionStatus.FAILING
    assert issued_connection.last_error == str(raised.value)
    assert "Site is down for maintenance." in str(raised.value)


def test_verify_without_a_token_checks_key_and_site_only(
    sandbox_connection, actor, fake_mindbody
) -> None:
    outcome = services.mindbody_connection_verify(
        connection=sandbox_connection, actor=actor, now=NOW
    )
    assert outcome.message == SITE_CHECKED_MESSAGE.format(count=2)
    assert [r.path for r in fake_mindbody.requests] == ["/public/v6/site/locations"]
    assert "Authorization" not in fake_mindbody.requests[0].headers
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.PENDING
    assert (sandbox_connection.site_checked_at, sandbox_connection.location_count) == (NOW, 2)


def test_verify_of_a_lapsed_token_marks_token_expired(
    issued_connection, actor, fake_mindbody
) -> None:
    later = NOW + DAY + dt.timedelta(minutes=1)
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_connection_verify(connection=issued_connection, actor=actor, now=later)
    assert str(raised.value) == TOKEN_LAPSED_MESSAGE.format(expires=NOW + DAY)
    issued_connection.refresh_from_db()
    assert issued_connection.status == ConnectionStatus.TOKEN_EXPIRED
    assert fake_mindbody.requests_to("/public/v6/site/locations") == []


def test_renew_extends_by_a_day_and_counts(issued_connection, actor) -> None:
    outcome = services.mindbody_token_renew(connection=issued_connection, actor=actor, now=NOW)
    issued_connection.refresh_from_db()
    assert issued_connection.token_expires_at == NOW + 2 * DAY
    assert issued_connection.token_renewals == 1
    assert outcome.message == TOKEN_RENEWED_MESSAGE.format(expires=NOW + 2 * DAY, left=6)


def test_renew_after_seven_renewals_expires_without_calling(
    issued_connection, actor, fake_mindbody
) -> None:
    MindbodySiteConnection.objects.filter(pk=issued_connection.pk).update(token_renewals=7)
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_token_renew(connection=issued_connection, actor=actor, now=NOW)
    assert str(raised.value) == RENEWALS_USED_UP_MESSAGE.format(expires=NOW + DAY)
    issued_connection.refresh_from_db()
    assert issued_connection.status == ConnectionStatus.TOKEN_EXPIRED
    assert fake_mindbody.requests_to("/public/v6/usertoken/renew") == []


def test_renew_refused_by_mindbody_expires_the_token(
    issued_connection, actor, fake_mindbody
) -> None:
    fake_mindbody.tokens[issued_connection.staff_user_token].renewals = 7
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_token_renew(connection=issued_connection, actor=actor, now=NOW)
    assert "TokenRenewalLimitReached" in str(raised.value)
    issued_connection.refresh_from_db()
    assert issued_connection.status == ConnectionStatus.TOKEN_EXPIRED


def test_renew_on_a_server_error_is_sent_once_and_counted_as_maybe_spent(
    issued_connection, actor, fake_mindbody
) -> None:
    fake_mindbody.fail_next("/public/v6/usertoken/renew", Fault(503), times=5)
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_token_renew(connection=issued_connection, actor=actor, now=NOW)
    assert len(fake_mindbody.requests_to("/public/v6/usertoken/renew")) == 1
    issued_connection.refresh_from_db()
    assert issued_connection.status == ConnectionStatus.PENDING and issued_connection.has_token
    assert issued_connection.token_renewals == 1  # never below what Mindbody may have counted
    assert issued_connection.token_expires_at == NOW + DAY  # only the expiry we are sure of
    assert "HTTP 503" in issued_connection.last_error
    assert str(raised.value).startswith(RENEWAL_UNCERTAIN_MESSAGE.split("{")[0])


def test_revoke_ends_and_forgets_the_token(issued_connection, actor, fake_mindbody) -> None:
    token = issued_connection.staff_user_token
    outcome = services.mindbody_token_revoke(connection=issued_connection, actor=actor)
    assert outcome.message == TOKEN_REVOKED_MESSAGE
    assert fake_mindbody.tokens[token].revoked
    issued_connection.refresh_from_db()
    assert not issued_connection.has_token and issued_connection.staff_user_token == ""
    assert _actions(issued_connection)[-1] == "mindbody_token_revoke"


def test_live_site_waits_for_the_owner_until_activated(organization, actor, fake_mindbody) -> None:
    connection = make_connection(
        organization, name="Studio", site_id=LIVE_SITE, api_key=API_KEY, actor=actor
    )
    fetched = services.mindbody_activation_fetch(connection=connection, actor=actor)
    connection.refresh_from_db()
    assert fetched.message == ACTIVATION_FETCHED_MESSAGE
    assert connection.status == ConnectionStatus.ACTIVATION_REQUIRED
    assert connection.activation_link.startswith("https://clients.mindbodyonline.com/")
    [sent] = fake_mindbody.requests_to("/public/v6/site/activationcode")
    assert sent.headers["SiteId"] == str(LIVE_SITE)

    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_token_issue(
            connection=connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
        )
    assert NOT_ACTIVATED.format(site=LIVE_SITE) in str(raised.value)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVATION_REQUIRED

    fake_mindbody.activated.add(LIVE_SITE)
    services.mindbody_token_issue(
        connection=connection, username=STAFF_USERNAME, password=STAFF_PASSWORD, actor=actor
    )
    services.mindbody_connection_verify(connection=connection, actor=actor, now=NOW)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE


def test_unapproved_live_site_stays_activation_required(organization, actor, fake_mindbody) -> None:
    connection = make_connection(
        organization, name="Studio", site_id=LIVE_SITE, api_key=API_KEY, actor=actor
    )
    services.mindbody_activation_fetch(connection=connection, actor=actor)
    token = fake_mindbody.seed_token(LIVE_SITE, expires=NOW + DAY)
    MindbodySiteConnection.objects.filter(pk=connection.pk).update(token_expires_at=NOW + DAY)
    connection.refresh_from_db()
    connection.staff_user_token = token
    connection.save()
    with pytest.raises(ConnectionActionError) as raised:
        services.mindbody_connection_verify(connection=connection, actor=actor, now=NOW)
    refused = REFUSED_MESSAGE.format(
        message=NOT_ACTIVATED.format(site=LIVE_SITE), code="DeniedAccess", status=403
    )
    assert str(raised.value) == ACTIVATION_PENDING_MESSAGE.format(error=refused)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVATION_REQUIRED


def test_every_change_is_audited(issued_connection, actor) -> None:
    services.mindbody_connection_verify(connection=issued_connection, actor=actor, now=NOW)
    services.mindbody_token_renew(connection=issued_connection, actor=actor, now=NOW)
    services.mindbody_activation_fetch(connection=issued_connection, actor=actor)
    services.mindbody_token_revoke(connection=issued_connection, actor=actor)
    assert _actions(issued_connection) == [
        "mindbody_connection_create",
        "mindbody_token_issue",
        "mindbody_verify",
        "mindbody_token_renew",
        "mindbody_activation_fetch",
        "mindbody_token_revoke",
    ]
    events = AuditEvent.objects.filter(target_id=str(issued_connection.pk))
    assert {event.actor_label for event in events} == {"olivia"}


def test_update_replaces_the_key_and_asks_for_verification(issued_connection, actor) -> None:
    services.mindbody_connection_verify(connection=issued_connection, actor=actor, now=NOW)
    services.mindbody_connection_update(
        connection=issued_connection,
        actor=actor,
        data={"name": "Sandbox (renamed)"},
        api_key="mbk_new_9999888877776666",
    )
    connection = MindbodySiteConnection.objects.get(pk=issued_connection.pk)
    assert (
        connection.name == "Sandbox (renamed)" and connection.api_key == "mbk_new_9999888877776666"
    )
    assert connection.status == ConnectionStatus.PENDING
    update = AuditEvent.objects.get(action="mindbody_connection_update")
    assert update.details == {"changed": ["api_key_replaced", "name"]}


def test_update_audits_what_changed_in_the_row_not_what_the_caller_claims(
    issued_connection, actor
) -> None:
    issued_connection.name = "Renamed in memory only"
    changed = services.mindbody_connection_update(
        connection=issued_connection, actor=actor, data={}
    )
    assert changed == []
    assert AuditEvent.objects.get(action="mindbody_connection_update").details == {"changed": []}
    stored = MindbodySiteConnection.objects.get(pk=issued_connection.pk)
    assert stored.name != "Renamed in memory only" and stored.status == issued_connection.status
