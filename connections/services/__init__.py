"""Every write to Mindbody connections: keyword-only, typed, validated, audited.

Calls to Mindbody happen outside any transaction; the write that follows is atomic, runs
``full_clean()`` and adds one ``AuditEvent`` that never carries a key, token or password.
"""

from connections.services.activation import mindbody_activation_fetch
from connections.services.budget import mindbody_calls_record
from connections.services.checks import mindbody_connection_check, mindbody_connection_verify
from connections.services.connections import (
    mindbody_connection_create,
    mindbody_connection_delete,
    mindbody_connection_update,
)
from connections.services.outcomes import ConnectionActionError, Outcome, PassReport
from connections.services.passes import mindbody_connections_verify_all, mindbody_tokens_renew_due
from connections.services.revoke import mindbody_token_revoke
from connections.services.tokens import mindbody_token_issue, mindbody_token_renew

__all__ = [
    "ConnectionActionError",
    "Outcome",
    "PassReport",
    "mindbody_activation_fetch",
    "mindbody_calls_record",
    "mindbody_connection_check",
    "mindbody_connection_create",
    "mindbody_connection_delete",
    "mindbody_connection_update",
    "mindbody_connection_verify",
    "mindbody_connections_verify_all",
    "mindbody_token_issue",
    "mindbody_token_renew",
    "mindbody_token_revoke",
    "mindbody_tokens_renew_due",
]
