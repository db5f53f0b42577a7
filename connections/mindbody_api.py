"""What Keyport sends to and reads from Mindbody, as the published contract reads.

Why lenient readers: the swagger document types the renew answer as a bare ``object`` and
marks every field of the others optional, so a reader takes what is there and falls back
to the documented rule (renewal: 24 h from the current expiry) for what is not. Knows
nothing of Django or HTTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from connections.mindbody_errors import MALFORMED_MESSAGE, MindbodyError

LOCATIONS_PAGE = 100  # request.limit; Mindbody may answer with fewer per page


@dataclass(frozen=True)
class SiteCredentials:
    """What one site's calls send; ``repr`` shows the site ID only."""

    api_key: str = field(repr=False)
    site_id: int
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class TokenUser:
    """Whose token it is: ``Type`` is Staff, Owner or Admin (``Id`` is 0 for the last two)."""

    user_type: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A token from ``/usertoken/issue``; ``repr`` hides it."""

    access_token: str = field(repr=False)
    expires_at: dt.datetime
    token_type: str = ""
    user: TokenUser = TokenUser()


@dataclass(frozen=True)
class RenewedToken:
    """What a renew answer said; empty fields mean "apply the documented rule"."""

    access_token: str = field(default="", repr=False)
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class Activation:
    code: str
    link: str


def parse_expires(value: Any) -> dt.datetime:
    """Mindbody's ``Expires`` is UTC, with or without ``Z`` and up to 7 fractional digits."""
    if not isinstance(value, str) or not value:
        raise MindbodyError(MALFORMED_MESSAGE.format(detail="no token expiry"))
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise MindbodyError(MALFORMED_MESSAGE.format(detail="unreadable token expiry")) from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def token_user(data: Any) -> TokenUser:
    user = data.get("User") if isinstance(data, dict) else None
    if not isinstance(user, dict):
        return TokenUser()
    raw_id = user.get("Id")
    user_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    return TokenUser(str(user.get("Type") or "")[:20], user_id)


def issued_token(data: Any) -> IssuedToken:
    """The issue answer must carry a token and its expiry: without them nothing was gained."""
    if not isinstance(data, dict) or not data.get("AccessToken"):
        raise MindbodyError(MALFORMED_MESSAGE.format(detail="no access token"))
    expires = parse_expires(data.get("Expires"))
    token_type = str(data.get("TokenType") or "")
    return IssuedToken(str(data["AccessToken"]), expires, token_type, token_user(data))


def renewed_token(data: Any) -> RenewedToken:
    """Any 2xx answer is a renewal; a token or expiry in it is used, an unreadable one is not."""
    if not isinstance(data, dict):
        return RenewedToken()
    token = data.get("AccessToken")
    try:
        expires: dt.datetime | None = parse_expires(data.get("Expires"))
    except MindbodyError:
        expires = None
    return RenewedToken(token if isinstance(token, str) else "", expires)


def count_from_page(data: Any) -> tuple[int | None, int]:
    """``(TotalResults if given, locations on this page)`` from one locations answer."""
    if not isinstance(data, dict):
        return None, 0
    pagination = data.get("PaginationResponse")
    total = pagination.get("TotalResults") if isinstance(pagination, dict) else None
    locations = data.get("Locations")
    page = len(locations) if isinstance(locations, list) else 0
    if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
        return total, page
    return None, page
