"""Validation rules with their messages as constants, so forms and tests share them.

Names, descriptions and recorded credentials are one line of plain text: a line break or
another control character in them would start a new line in an exported ``.env`` file,
an email header or a terminal (``validate_plain_text``, reused by ``connections``).

Redirect URLs follow OAuth's best current practice: exact strings, https (http only for a
loopback host during development), absolute, no fragment, no userinfo, nothing a browser
might reinterpret (backslashes, control characters, other schemes).
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

import idna
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
LEAD_TIMES_RANGE = "Lead times must be whole numbers of days from 1 to 365 (not {values})."
LEAD_TIMES_DUPLICATE = "Each lead time can appear only once ({values} more than once)."
EMAIL_INVALID = "“{email}” is not a valid email address."
CONTROL_CHARACTERS = (
    "Remove the line breaks, tabs and other control characters: this must be one line of "
    "plain text."
)
URL_PORT = "Redirect URLs need a port from 1 to 65535 (or none)."
URL_HOST_NOT_NORMALISED = (
    "Write the host the way a browser will use it: {host} (Keyport keeps redirect URLs "
    "as exact strings)."
)
EMAILS_INVALID = "These are not valid email addresses: {emails}."


def _listed(values: Iterable[object]) -> str:
    """``0, 400`` — the offending values, in the order they were typed, each once."""
    return ", ".join(dict.fromkeys(str(value) for value in values))


_url_syntax = URLValidator(schemes=["http", "https"])


def _has_forbidden_character(value: str) -> bool:
    return any(
        char == "\\" or char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}
        for char in value
    )


def has_control_character(value: str) -> bool:
    """Control characters (``Cc``), line and paragraph separators, unpaired surrogates."""
    return any(unicodedata.category(char) in {"Cc", "Zl", "Zp", "Cs"} for char in value)


def validate_plain_text(value: object) -> None:
    """One line of text: no line break of any kind, no tab, NUL, escape or other control."""
    if isinstance(value, str) and has_control_character(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


def _browser_host(hostname: str) -> str:
    """The host as a browser maps it (UTS #46 non-transitional, as the WHATWG URL standard
    does), or "" for a code point IDNA disallows. Compatibility forms such as fullwidth
    letters map to their plain form; ASCII hosts come back lowercased."""
    try:
        mapped = idna.uts46_remap(hostname, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        return ""
    return str(mapped)


def _validate_host_and_port(parts: SplitResult, hostname: str) -> None:
    try:
        port = parts.port
    except ValueError as exc:
        raise ValidationError(URL_PORT, code="port") from exc
    if port == 0:
        raise ValidationError(URL_PORT, code="port")
    if _is_ip_literal(hostname):
        return
    browser = _browser_host(hostname)
    if not browser:
        raise ValidationError(URL_INVALID, code="invalid")
    if browser != hostname.lower():
        raise ValidationError(
            URL_HOST_NOT_NORMALISED.format(host=browser), code="host_not_normalised"
        )


def _is_ip_literal(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


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
    _validate_host_and_port(parts, hostname)
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
    bad = [
        item
        for item in items
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 365
    ]
    if bad:
        raise ValidationError(LEAD_TIMES_RANGE.format(values=_listed(bad)), code="range")
    repeated = [item for item in items if items.count(item) > 1]
    if repeated:
        raise ValidationError(
            LEAD_TIMES_DUPLICATE.format(values=_listed(repeated)), code="duplicate"
        )


def validate_email_list(value: Iterable[object]) -> None:
    """Every entry is a valid email address; the message names every bad one."""
    bad = []
    for item in value:
        try:
            validate_email(str(item))
        except ValidationError:
            bad.append(str(item))
    if len(bad) == 1:
        raise ValidationError(EMAIL_INVALID.format(email=bad[0]), code="invalid_email")
    if bad:
        emails = ", ".join(f"“{email}”" for email in bad)
        raise ValidationError(EMAILS_INVALID.format(emails=emails), code="invalid_email")


def constraint_errors_on_field(error: ValidationError, message: str, field: str) -> ValidationError:
    """``error`` with each ``message`` moved from the form's top onto ``field``.

    Django reports a multi-column unique constraint (organization + name) above the whole
    form; the person fixing it looks at the Name field, so that is where it belongs.
    """
    if not hasattr(error, "error_dict"):
        return error
    moved: dict[str, list[ValidationError]] = {}
    for name, errors in error.error_dict.items():
        for item in errors:
            target = field if name == NON_FIELD_ERRORS and message in item.messages else name
            moved.setdefault(target, []).append(item)
    return ValidationError(moved)
