"""Which of key, token or site Mindbody refused, when its answer alone does not say.

Mindbody answers ``DeniedAccess`` for a bad API key and a dead staff token alike. When its
words do not tell them apart, one tokenless ``GET /site/locations`` (key and site only, the
token is optional there) settles it: refused too, the key is at fault; answered, the token.
The extra read is spent only on such a refusal, never on a call that worked.
"""

from __future__ import annotations

from connections.clients import default_client
from connections.mindbody import MindbodyError
from connections.mindbody_errors import Cause, classify
from connections.models import MindbodySiteConnection
from connections.services import common


def settle(connection: MindbodySiteConnection, error: MindbodyError) -> Cause:
    """The cause of a refused call that carried the staff token."""
    cause = classify(error)
    if cause != Cause.DENIED:
        return cause
    try:
        default_client().location_count(common.credentials(connection, staff=False))
    except MindbodyError as probe:
        probed = classify(probe)
        return Cause.KEY if probed in (Cause.DENIED, Cause.KEY) else probed
    return Cause.TOKEN
