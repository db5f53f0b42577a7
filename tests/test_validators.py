"""Redirect-URL, lead-time and email-list validation (apps_registry.validators)."""

from __future__ import annotations

import string
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from apps_registry import validators
from apps_registry.validators import validate_redirect_url

# Django's own hostile-URL list (tests for url_has_allowed_host_and_scheme).
DJANGO_BAD_URLS = (
    "http://example.com",
    "http:///example.com",
    "ftp://example.com",
    r"\\example.com",
    r"\\\example.com",
    r"/\\/example.com",
    r"\\//example.com",
    r"/\/example.com",
    r"\/example.com",
    r"/\example.com",
    r"http:/\//example.com",
    r"http:\/example.com",
    r"http:/\example.com",
    'javascript:alert("XSS")',
    "\njavascript:alert(x)",
    "java\nscript:alert(x)",
    "\x08//example.com",
    r"http://otherserver\@example.com",
    r"http:\\testserver\@example.com",
    r"http://testserver\me:pass@example.com",
    r"http://testserver\@example.com",
    r"http:\\testserver\confirm\me@example.com",
    "http:999999999",
    "ftp:9999999999",
    "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
    # Django's "good" URLs are relative or scheme-relative: not absolute redirect URLs.
    "/view/?param=http://example.com",
    "view/?param=//example.com",
    "//testserver/",
    "/url%20with%20spaces/",
    "path/http:2222222222",
)
MORE_BAD_URLS = (
    "https://app.example.com/cb#fragment",
    "https://user:pass@app.example.com/cb",
    "https://user@app.example.com/cb",
    "data:text/html,<script>alert(1)</script>",
    "https:app.example.com",
    "https:///app.example.com",
    "https://app.example.com/a b",
    "https://app.example.com/\u202ecb",
    "http://10.0.0.1/callback",
    "http://localhost.evil.com/callback",
    "https://" + "a" * 2040 + ".com/",
)
GOOD_URLS = (
    "https://example.com",
    "https://app.example.com/oauth/callback?state=1",
    "HTTPS://App.Example.com/callback",
    "http://127.0.0.1:8080/callback",
    "http://localhost/callback",
    "http://[::1]:3000/cb",
    "https://[2001:db8::1]/cb",
)


def _reason(url: str) -> str | None:
    try:
        validate_redirect_url(url)
    except ValidationError as exc:
        return exc.messages[0]
    return None


@pytest.mark.parametrize("url", DJANGO_BAD_URLS + MORE_BAD_URLS)
def test_hostile_urls_are_refused_with_a_plain_message(url: str) -> None:
    message = _reason(url)
    assert message is not None, url
    assert message.startswith(("Redirect URLs", "Enter a"))


@pytest.mark.parametrize("url", GOOD_URLS)
def test_safe_urls_are_accepted(url: str) -> None:
    assert _reason(url) is None


def test_messages_name_the_rule_that_was_broken() -> None:
    assert _reason("https://a.example.com/#x") == validators.URL_FRAGMENT
    assert _reason("https://me@a.example.com/") == validators.URL_USERINFO
    assert _reason("http://a.example.com/") == validators.URL_SCHEME
    assert _reason("https://a.example.com/\\x") == validators.URL_FORBIDDEN_CHARACTERS
    assert _reason("https://" + "a" * 2050) == validators.URL_TOO_LONG


def _obeys_every_rule(url: str) -> bool:
    """An independent statement of the rules, to check whatever the validator accepts."""
    if len(url) > 2048 or "#" in url or "\\" in url:
        return False
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or "@" in parts.netloc:
        return False
    if parts.scheme.lower() == "https":
        return url.lower().startswith("https://")
    if parts.scheme.lower() == "http":
        return url.lower().startswith("http://") and host in {"127.0.0.1", "localhost", "::1"}
    return False


PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "HTTPS://",
        "javascript:",
        "data:",
        "ftp://",
        "//",
        "/",
        "\\",
        "@",
        "#",
        ":",
        "?",
        "&",
        "=",
        "%",
        "%2F",
        "user:pw@",
        "example.com",
        "127.0.0.1",
        "localhost",
        "[::1]",
        "evil.test",
        ".",
        "..",
        " ",
        "\t",
        "\n",
        "\x00",
        "\u202e",
        "\u200b",
        ":443",
        ":99999",
        "[",
        "]",
        "a",
        "callback",
        "é",
        "xn--bcher-kva.example",
    ]
)
HOSTILE_STRINGS = st.one_of(
    st.lists(PIECES, min_size=1, max_size=12).map("".join),
    st.text(alphabet=string.printable + "\u202e\u200b\x00", max_size=60),
)


@given(HOSTILE_STRINGS)
def test_property_nothing_accepted_breaks_a_rule(url: str) -> None:
    if _reason(url) is None:
        assert _obeys_every_rule(url), url


HOSTS = st.from_regex(
    r"[a-z][a-z0-9-]{0,10}[a-z0-9](\.[a-z0-9]{1,10}){0,2}\.[a-z]{2,6}", fullmatch=True
)
PATHS = st.from_regex(r"(/[A-Za-z0-9._~-]{0,12}){0,4}", fullmatch=True)


@given(host=HOSTS, path=PATHS)
def test_property_well_formed_https_urls_are_accepted(host: str, path: str) -> None:
    assert _reason(f"https://{host}{path}") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], validators.LEAD_TIMES_EMPTY),
        ([0], validators.LEAD_TIMES_RANGE.format(values="0")),
        ([366], validators.LEAD_TIMES_RANGE.format(values="366")),
        (["7"], validators.LEAD_TIMES_RANGE.format(values="7")),
        ([7, 7], validators.LEAD_TIMES_DUPLICATE.format(values="7")),
    ],
)
def test_lead_times_are_checked(value: list[object], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validators.validate_lead_times(value)
    assert raised.value.messages == [message]


def test_email_list_names_the_bad_address() -> None:
    validators.validate_email_list(["a@example.com"])
    with pytest.raises(ValidationError) as raised:
        validators.validate_email_list(["a@example.com", "not-an-email"])
    assert "not-an-email" in raised.value.messages[0]
