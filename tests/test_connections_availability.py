"""A connection's page offers only the actions that apply to its state, and an action that
does not apply explains why instead of asking for a confirmation."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from connections.admin.availability import (
    KEY_REFUSED_ACTION_MESSAGE,
    SANDBOX_ACTIVATION_MESSAGE,
    available_actions,
)
from connections.models import ConnectionStatus
from connections.services.outcomes import NO_TOKEN_MESSAGE, TOKEN_EXPIRED_STATE_MESSAGE


def _url(action, connection):
    return reverse(f"admin:connections_mindbodysiteconnection_{action}", args=[connection.pk])


def _labels(connection):
    return [label for _, label in available_actions(connection)]


def _page(client, connection):
    return client.get(_url("change", connection)).content.decode()


def test_a_sandbox_site_without_token_offers_issue_and_verify_only(
    operator_client, sandbox_connection
) -> None:
    assert _labels(sandbox_connection) == ["Issue staff token", "Verify now"]
    page = _page(operator_client, sandbox_connection)
    assert "Issue staff token" in page and "Verify now" in page
    for label in ("Renew token", "Revoke token", "Get activation link"):
        assert label not in page


def test_with_a_token_renew_and_revoke_appear(operator_client, issued_connection) -> None:
    assert _labels(issued_connection) == [
        "Issue staff token",
        "Verify now",
        "Renew token",
        "Revoke token",
    ]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("renew", NO_TOKEN_MESSAGE),
        ("revoke", NO_TOKEN_MESSAGE),
        ("activation", SANDBOX_ACTIVATION_MESSAGE),
    ],
)
def test_an_action_that_cannot_work_explains_instead_of_confirming(
    operator_client, sandbox_connection, action, message
) -> None:
    response = operator_client.get(_url(action, sandbox_connection), follow=True)
    assert response.redirect_chain[-1][0] == _url("change", sandbox_connection)
    assert message in unescape(response.content.decode())
    assert 'type="submit" class="default"' not in response.content.decode()


def test_a_token_that_cannot_be_renewed_offers_no_renew(operator_client, issued_connection) -> None:
    issued_connection.status = ConnectionStatus.TOKEN_EXPIRED
    issued_connection.save(update_fields=["status"])
    assert "Renew token" not in _labels(issued_connection)
    response = operator_client.post(_url("renew", issued_connection), follow=True)
    assert TOKEN_EXPIRED_STATE_MESSAGE in unescape(response.content.decode())


def test_a_refused_api_key_asks_for_a_new_key_first(operator_client, sandbox_connection) -> None:
    sandbox_connection.status = ConnectionStatus.KEY_REFUSED
    sandbox_connection.save(update_fields=["status"])
    assert _labels(sandbox_connection) == ["Verify now"]
    response = operator_client.get(_url("issue_token", sandbox_connection), follow=True)
    assert KEY_REFUSED_ACTION_MESSAGE in unescape(response.content.decode())
