"""Admin for Mindbody connections (connections.admin): list, add, scoping and the buttons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps_registry.models import AuditEvent
from connections import services
from connections.admin.connections import SANDBOX_BADGE
from connections.mindbody import REFUSED_MESSAGE
from connections.models import SITE_ID_INVALID_MESSAGE, ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import (
    KEY_REFUSED_MESSAGE,
    SITE_CHECKED_MESSAGE,
    TOKEN_REVOKED_MESSAGE,
    VERIFIED_MESSAGE,
)
from tests.factories import make_connection
from tests.fake_mindbody import SANDBOX, STAFF_AUTH_FAILED
from tests.support_mindbody import API_KEY, OTHER_API_KEY, STAFF_PASSWORD, STAFF_USERNAME
from tests.test_connections_secrets import every_stored_text

CHANGELIST = reverse("admin:connections_mindbodysiteconnection_changelist")
ADD = reverse("admin:connections_mindbodysiteconnection_add")


def _url(name: str, connection) -> str:
    return reverse(f"admin:connections_mindbodysiteconnection_{name}", args=[connection.pk])


@pytest.fixture
def rival_connection(other_organization, fake_mindbody):
    return make_connection(
        other_organization, name="Rival sandbox", site_id=SANDBOX, api_key=API_KEY
    )


def test_list_shows_own_sites_with_sandbox_badge(
    operator_client, sandbox_connection, rival_connection
) -> None:
    page = operator_client.get(CHANGELIST).content.decode()
    assert "Sandbox" in page and "Serenity Spa" in page and SANDBOX_BADGE in page
    assert "Rival sandbox" not in page
    assert API_KEY not in page


def test_add_form_creates_through_the_service(
    operator_client, organization, other_organization, fake_mindbody
) -> None:
    form = operator_client.get(ADD).content.decode()
    assert "Serenity Spa" in form and "Rival Gym" not in form
    response = operator_client.post(
        ADD,
        {"organization": organization.pk, "name": "Sandbox", "site_id": "-99", "api_key": API_KEY},
    )
    assert response.status_code == 302
    connection = MindbodySiteConnection.objects.get()
    assert connection.api_key == API_KEY and connection.status == ConnectionStatus.PENDING
    assert AuditEvent.objects.filter(action="mindbody_connection_create").count() == 1
    page = operator_client.get(_url("change", connection)).content.decode()
    assert API_KEY not in page and f"…{API_KEY[-4:]}" in page


def test_add_form_refuses_a_bad_site_id(operator_client, organization, fake_mindbody) -> None:
    response = operator_client.post(
        ADD, {"organization": organization.pk, "name": "X", "site_id": "0", "api_key": API_KEY}
    )
    assert response.status_code == 200
    assert SITE_ID_INVALID_MESSAGE in response.content.decode()
    assert API_KEY not in response.content.decode()
    assert not MindbodySiteConnection.objects.exists()


def test_another_organizations_site_is_a_404(operator_client, rival_connection) -> None:
    for name in ("change", "issue_token", "verify", "renew", "revoke", "activation"):
        assert operator_client.get(_url(name, rival_connection)).status_code == 404
        assert operator_client.post(_url(name, rival_connection)).status_code == 404


def test_issue_token_from_username_and_password_then_verified(
    operator_client, sandbox_connection
) -> None:
    form = operator_client.get(_url("issue_token", sandbox_connection)).content.decode()
    assert 'type="password"' in form
    response = operator_client.post(
        _url("issue_token", sandbox_connection),
        {"username": STAFF_USERNAME, "password": STAFF_PASSWORD},
        follow=True,
    )
    page = response.content.decode()
    assert VERIFIED_MESSAGE.format(count=2) in page
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.ACTIVE
    token = sandbox_connection.staff_user_token
    assert token not in page and f"…{token[-4:]}" in page
    assert STAFF_PASSWORD not in every_stored_text()


def test_wrong_password_shows_mindbodys_words_and_not_the_password(
    operator_client, sandbox_connection
) -> None:
    response = operator_client.post(
        _url("issue_token", sandbox_connection),
        {"username": STAFF_USERNAME, "password": "Wrong-" + STAFF_PASSWORD},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert REFUSED_MESSAGE.format(
        message=STAFF_AUTH_FAILED, code="DeniedAccess", status=403
    ) in page.replace("&#x27;", "'")
    assert STAFF_PASSWORD not in page


@pytest.mark.parametrize("action", ["verify", "renew", "revoke"])
def test_buttons_confirm_on_get_and_act_on_post(operator_client, issued_connection, action) -> None:
    before = AuditEvent.objects.count()
    confirm = operator_client.get(_url(action, issued_connection))
    assert confirm.status_code == 200 and b'method="post"' in confirm.content
    assert AuditEvent.objects.count() == before
    response = operator_client.post(_url(action, issued_connection), follow=True)
    assert response.redirect_chain[-1][0] == _url("change", issued_connection)
    assert AuditEvent.objects.count() == before + 1
    assert b"errornote" not in response.content


def test_revoke_reports_in_plain_words(operator_client, issued_connection) -> None:
    response = operator_client.post(_url("revoke", issued_connection), follow=True)
    assert TOKEN_REVOKED_MESSAGE in response.content.decode()


def test_buttons_need_change_permission(viewer, issued_connection) -> None:
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    assert client.get(_url("change", issued_connection)).status_code == 200
    assert client.post(_url("verify", issued_connection)).status_code == 403


def test_delete_is_audited(operator_client, sandbox_connection) -> None:
    response = operator_client.post(_url("delete", sandbox_connection), {"post": "yes"})
    assert response.status_code == 302
    assert not MindbodySiteConnection.objects.exists()
    assert AuditEvent.objects.filter(action="mindbody_connection_delete").count() == 1


def test_operator_adds_the_sandbox_issues_a_token_sees_it_verified_and_renewed(
    operator_client, organization, fake_mindbody
) -> None:
    """The issue's definition of done, through the admin and the hourly pass."""
    operator_client.post(
        ADD,
        {"organization": organization.pk, "name": "Sandbox", "site_id": "-99", "api_key": API_KEY},
    )
    connection = MindbodySiteConnection.objects.get()
    operator_client.post(
        _url("issue_token", connection), {"username": STAFF_USERNAME, "password": STAFF_PASSWORD}
    )
    listing = operator_client.get(CHANGELIST).content.decode()
    assert "Active" in listing and SANDBOX_BADGE in listing
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE and connection.last_verified_at

    first_expiry = connection.token_expires_at
    assert first_expiry is not None
    report = services.mindbody_tokens_renew_due(now=first_expiry - dt.timedelta(hours=1))
    assert not report.failures
    connection.refresh_from_db()
    assert connection.token_renewals == 1
    assert connection.token_expires_at == first_expiry + dt.timedelta(hours=24)
    page = operator_client.get(_url("change", connection)).content.decode()
    assert API_KEY not in page and connection.staff_user_token not in page


def test_adding_a_connection_checks_key_and_site_at_once(
    operator_client, organization, fake_mindbody
) -> None:
    response = operator_client.post(
        ADD,
        {"organization": organization.pk, "name": "Sandbox", "site_id": "-99", "api_key": API_KEY},
        follow=True,
    )
    connection = MindbodySiteConnection.objects.get()
    assert response.redirect_chain[-1][0] == _url("change", connection)
    page = response.content.decode()
    assert SITE_CHECKED_MESSAGE.format(count=2) in page
    assert "Mindbody answered with 2 location(s)" in page  # stored, shown on the page
    [sent] = fake_mindbody.requests
    assert sent.path == "/public/v6/site/locations" and "Authorization" not in sent.headers


def test_a_wrong_key_is_reported_the_moment_it_is_entered(
    operator_client, organization, fake_mindbody
) -> None:
    response = operator_client.post(
        ADD,
        {
            "organization": organization.pk,
            "name": "Typo",
            "site_id": "-99",
            "api_key": OTHER_API_KEY,
        },
        follow=True,
    )
    page = response.content.decode()
    connection = MindbodySiteConnection.objects.get()
    assert connection.status == ConnectionStatus.KEY_REFUSED and not connection.has_token
    assert KEY_REFUSED_MESSAGE.split("{")[0] in page and "API key refused" in page
    assert OTHER_API_KEY not in page

    operator_client.post(_url("change", connection), {"name": "Typo", "replace_api_key": API_KEY})
    connection.refresh_from_db()
    assert connection.api_key == API_KEY and connection.status == ConnectionStatus.PENDING
    assert connection.site_checked_at is not None


def test_change_page_names_the_tokens_user(operator_client, issued_connection) -> None:
    page = operator_client.get(_url("change", issued_connection)).content.decode()
    assert "Staff, ID 100000001" in page
