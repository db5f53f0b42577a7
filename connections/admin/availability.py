"""Which buttons a connection's page offers, from the connection's state.

A button that leads to a confirmation page for an action Mindbody (or Keyport) would refuse
anyway wastes the operator's time and teaches them to ignore buttons. So the page shows only
what applies (no Renew or Revoke without a token, no activation for the sandbox), and a typed
URL for an action that does not apply explains why instead of asking for confirmation.
"""

from __future__ import annotations

from django.urls import reverse

from connections.models import ConnectionStatus, MindbodySiteConnection
from connections.services.outcomes import NO_TOKEN_MESSAGE, TOKEN_EXPIRED_STATE_MESSAGE

SANDBOX_ACTIVATION_MESSAGE = (
    "The sandbox site (-99) needs no activation: every developer account may use it."
)
KEY_REFUSED_ACTION_MESSAGE = (
    "Mindbody refuses this connection's API key: replace the key on this page first."
)
LABELS = {
    "issue_token": "Issue staff token",
    "verify": "Verify now",
    "renew": "Renew token",
    "revoke": "Revoke token",
    "activation": "Get activation link",
}
URL_NAME = "admin:connections_mindbodysiteconnection_{action}"


def refusal(connection: MindbodySiteConnection, action: str) -> str | None:
    """Why ``action`` does not apply to ``connection`` now, or ``None`` when it does."""
    key_refused = connection.status == ConnectionStatus.KEY_REFUSED
    if action in {"issue_token", "renew", "activation"} and key_refused:
        return KEY_REFUSED_ACTION_MESSAGE
    if action in {"renew", "revoke"} and not connection.has_token:
        return NO_TOKEN_MESSAGE
    renewals_gone = connection.renewals_left() == 0
    if action == "renew" and (connection.status == ConnectionStatus.TOKEN_EXPIRED or renewals_gone):
        return TOKEN_EXPIRED_STATE_MESSAGE
    if action == "activation" and connection.is_sandbox:
        return SANDBOX_ACTIVATION_MESSAGE
    return None


def available_actions(connection: MindbodySiteConnection) -> list[tuple[str, str]]:
    """``(url, label)`` of each action that applies, in the page's order."""
    return [
        (reverse(URL_NAME.format(action=action), args=[connection.pk]), label)
        for action, label in LABELS.items()
        if refusal(connection, action) is None
    ]
