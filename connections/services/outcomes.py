"""What a Mindbody action reports back: one ``Outcome`` per connection, in plain words.

Admin views show ``message``; commands print it and exit non-zero on failure; the beat
tasks return a ``PassReport`` summary. Messages are constants the tests reuse.
"""

# ruff: noqa: S105 - these are sentences about tokens, not tokens.
from __future__ import annotations

from dataclasses import dataclass, field

TOKEN_ISSUED_MESSAGE = (
    "Issued a staff token for {username}; it expires {expires:%Y-%m-%d %H:%M} UTC."
)
TOKEN_RENEWED_MESSAGE = (
    "Renewed the staff token; it now expires {expires:%Y-%m-%d %H:%M} UTC ({left} renewals left)."
)
RENEWALS_USED_UP_MESSAGE = (
    "The staff token was renewed 7 times, Mindbody's limit. A staff member must issue a new "
    "token before it lapses on {expires:%Y-%m-%d %H:%M} UTC."
)
TOKEN_LAPSED_MESSAGE = (
    "The staff token expired on {expires:%Y-%m-%d %H:%M} UTC. "
    "A staff member must issue a new token."
)
TOKEN_REFUSED_MESSAGE = (
    "Mindbody no longer accepts the staff token: a staff member must issue a new token. {error}"
)
KEY_REFUSED_MESSAGE = (
    "The API key was refused: create a new key in the developer portal and replace it here. {error}"
)
RENEWAL_UNCERTAIN_MESSAGE = (
    "Mindbody may have renewed the token without confirming it, so Keyport counted the "
    "renewal as spent and will not send it again in this pass; the next hourly pass renews "
    "again. {error}"
)
ISSUE_UNCERTAIN_MESSAGE = (
    "Mindbody may have issued a token without confirming it; Keyport did not ask again. "
    "Issue the token once more. {error}"
)
SITE_CHECKED_MESSAGE = (
    "The API key and site ID work: Mindbody answered with {count} location(s). "
    "Issue a staff token next."
)
TOKEN_REVOKED_MESSAGE = "Revoked the staff token; issue a new one to use this site again."
NO_TOKEN_MESSAGE = "This connection has no staff token; issue one first."
TOKEN_EXPIRED_STATE_MESSAGE = "This token can no longer be renewed; issue a new staff token."
VERIFIED_MESSAGE = (
    "Verified: Mindbody accepted the staff token and answered with {count} location(s)."
)
ACTIVATION_FETCHED_MESSAGE = (
    "Send the activation link to the site owner: they must approve Keyport before the site answers."
)
ACTIVATION_PENDING_MESSAGE = "The site owner has not approved Keyport yet. {error}"
CHANGED_MEANWHILE_MESSAGE = (
    "The connection changed while Mindbody was answering, so nothing was recorded. Try again."
)
UNEXPECTED_FAILURE_MESSAGE = "Keyport could not record the result for this site; see the log."


@dataclass(frozen=True)
class Outcome:
    """The result of one action on one connection."""

    connection_id: int
    connection: str
    action: str
    ok: bool
    status: str
    message: str


class ConnectionActionError(Exception):
    """An action failed; ``str()`` is the plain message (Mindbody's own words included)."""

    def __init__(self, message: str, outcome: Outcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass
class PassReport:
    """A renewal or verification pass over many connections."""

    action: str
    outcomes: list[Outcome] = field(default_factory=list)
    peak_in_flight: int = 0

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    def summary(self) -> dict[str, int | str]:
        return {
            "action": self.action,
            "connections": len(self.outcomes),
            "succeeded": len(self.outcomes) - len(self.failures),
            "failed": len(self.failures),
            "peak_in_flight": self.peak_in_flight,
        }
