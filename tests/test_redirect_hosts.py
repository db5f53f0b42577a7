"""Redirect URLs: ports must be 1 to 65535, and hosts are written as a browser will use them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from apps_registry.validators import (
    URL_HOST_NOT_NORMALISED,
    URL_PORT,
    validate_redirect_url,
)


def _message(url: str) -> str | None:
    try:
        validate_redirect_url(url)
    except ValidationError as exc:
        return exc.messages[0]
    return None


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com:0/cb",
        "https://app.example.com:65536/cb",
        "https://app.example.com:99999999999/cb",
        "http://127.0.0.1:70000/cb",
        "http://[::1]:0/cb",
    ],
)
def test_invalid_ports_are_refused(url):
    assert _message(url) == URL_PORT


@pytest.mark.parametrize(
    "url",
    ["https://app.example.com:1/cb", "https://app.example.com:65535/cb", "http://[::1]:8000/"],
)
def test_valid_ports_are_accepted(url):
    assert _message(url) is None


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://\uff47\uff4f\uff4f\uff47\uff4c\uff45.com/cb", "google.com"),  # fullwidth
        ("https://example\u3002com/cb", "example.com"),  # an ideographic full stop
        ("https://\u2460.example.com/cb", "1.example.com"),  # circled digit one
        ("https://e\u0301xample.com/cb", "\u00e9xample.com"),  # not in NFC
    ],
)
def test_hosts_a_browser_rewrites_are_refused_naming_the_real_host(url, host):
    assert _message(url) == URL_HOST_NOT_NORMALISED.format(host=host)


@pytest.mark.parametrize(
    "url",
    [
        "https://b\u00fccher.example/cb",
        "https://xn--bcher-kva.example/cb",
        "https://App.Example.com/cb",
        "https://127.0.0.1/cb",
    ],
)
def test_hosts_already_in_browser_form_are_accepted(url):
    assert _message(url) is None


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12))
def test_property_an_accepted_host_is_the_host_a_browser_uses(label):
    import idna

    url = f"https://{label}.example.com/cb"
    if _message(url) is None:
        host = url.split("/")[2]
        assert idna.uts46_remap(host, std3_rules=False, transitional=False) == host.lower()
