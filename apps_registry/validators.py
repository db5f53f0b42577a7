"""Validation rules with their messages as constants, so forms and tests share them.

Redirect URLs follow OAuth's best current practice: exact strings, https (http only for a
loopback host during development), absolute, no fragment, no userinfo, nothing a browser
might reinterpret (backslashes, control characters, other schemes).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

REDIRECT_URL_MAX_LENGTH = 2048
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

URL_TOO_LONG = f"Redirect URLs can be at most {REDIRECT_URL_MAX_LENGTH} characters long."
URL_FORBIDDEN_CHARACTERS = "Redirect URLs cannot contain spaces, control characters or backslashes."
URL_SCHEME = (
    "Redirect URLs must start with https:// (http:// is allowed only for 127.0.0.1, "
    "localhost and [::1])."
)
URL_NOT_ABSOLUTE = "Enter a full URL with a host name, such as https://app.example.com/callback."
URL_FRAGMENT = "Redirect URLs cannot contain a fragment (the part after #)."
URL_USERINFO = "Redirect URLs cannot contain a user name or password before the host."
URL_INVALID = "Enter a valid URL, such as https://app.example.com/callback."

API_BASE_URL_SCHEME = (
    "The API base URL must start with https:// (http:// only for 127.0.0.1 or localhost): "
    "every check sends the API key to it."
)
LEAD_TIMES_EMPTY = "Enter at least one lead time in days."
LEAD_TIMES_RANGE = "Lead times must be whole numbers of days from 1 to 365."
LEAD_TIMES_DUPLICATE = "Each lead time can appear only once."
EMAIL_INVALID = "“{email}” is not a valid email address."

_url_syntax = URLValidator(schemes=["http", "https"])


def _has_forbidden_character(value: str) -> bool:
    return any(
        char == "\\" or char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}
        for char in value
    )


def validate_redirect_url(value: str) -> None:
    """Raise ``ValidationError`` with a plain message unless ``value`` is a safe redirect URL."""
    if len(value) > REDIRECT_URL_MAX_LENGTH:
        raise ValidationError(URL_TOO_LONG, code="too_long")
    if _has_forbidden_character(value):
        raise ValidationError(URL_FORBIDDEN_CHARACTERS, code="forbidden_characters")
    if "#" in value:
        raise ValidationError(URL_FRAGMENT, code="fragment")
    try:
        parts = urlsplit(value)
        hostname = parts.hostname or ""
    except ValueError as exc:
        raise ValidationError(URL_INVALID, code="invalid") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not value.lower().startswith(f"{scheme}://"):
        raise ValidationError(URL_SCHEME, code="scheme")
    if not parts.netloc or not hostname:
        raise ValidationError(URL_NOT_ABSOLUTE, code="not_absolute")
    if "@" in parts.netloc:
        raise ValidationError(URL_USERINFO, code="userinfo")
    if scheme == "http" and hostname not in LOOPBACK_HOSTS:
        raise ValidationError(URL_SCHEME, code="scheme")
    try:
        _url_syntax(value)
    except ValidationError as exc:
        raise ValidationError(URL_INVALID, code="invalid") from exc


def validate_api_base_url(value: str) -> None:
    """A vendor API base URL the API key may be sent to: https, or http on loopback only."""
    parts = urlsplit(value or "")
    scheme_ok = parts.scheme == "https" or (
        parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS
    )
    if value and not (scheme_ok and parts.hostname):
        raise ValidationError(API_BASE_URL_SCHEME, code="scheme")


def validate_lead_times(value: Iterable[object]) -> None:
    """Lead times are distinct whole numbers of days from 1 to 365, at least one of them."""
    items = list(value)
    if not items:
        raise ValidationError(LEAD_TIMES_EMPTY, code="empty")
    if any(isinstance(item, bool) or not isinstance(item, int) for item in items):
        raise ValidationError(LEAD_TIMES_RANGE, code="range")
    if any(not 1 <= int(item) <= 365 for item in items):  # type: ignore[call-overload]
        raise ValidationError(LEAD_TIMES_RANGE, code="range")
    if len(set(items)) != len(items):
        raise ValidationError(LEAD_TIMES_DUPLICATE, code="duplicate")


def validate_email_list(value: Iterable[object]) -> None:
    """Every entry is a valid email address; the message names the first bad one."""
    for item in value:
        try:
            validate_email(str(item))
        except ValidationError as exc:
            raise ValidationError(EMAIL_INVALID.format(email=item), code="invalid_email") from exc
