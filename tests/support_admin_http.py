"""The Django admin over real HTTP, as a browser behind Keyport's TLS-terminating proxy.

Production sends cookies with ``Secure`` and redirects plain HTTP to https; the reverse proxy
("Production deployment" in README.md) speaks https to the browser and adds ``X-Forwarded-Proto: https`` and
``X-Forwarded-For``. This client plays browser and proxy at once: it adds those headers,
sends the ``Origin`` Django's CSRF check compares, and returns the ``Secure`` cookies that
``requests`` would otherwise keep back from an http:// URL.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

TIMEOUT = 20
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.DOTALL)


class AdminClient:
    def __init__(self, base_url: str, *, client_ip: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": client_ip,
                "Origin": f"https://{urlsplit(base_url).netloc}",
            }
        )
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request, redirects not followed; ``Secure`` cookies are sent back next time."""
        response = self.session.request(
            method, urljoin(self.base_url, path), allow_redirects=False, timeout=TIMEOUT, **kwargs
        )
        self.set_cookie_headers += response.raw.headers.getlist("Set-Cookie")
        for cookie in self.session.cookies:
            cookie.secure = False  # the proxy, not this hop, is where https happens
        return response

    def get(self, path: str) -> requests.Response:
        response = self.request("GET", path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        return response

    def post(self, path: str, data: dict[str, Any]) -> str:
        """Submit the form at ``path`` with its CSRF token; the redirect target on success."""
        page = self.get(path).text
        token = CSRF_FIELD.search(page)
        assert token, f"no CSRF token on {path}"
        response = self.request("POST", path, data={**data, "csrfmiddlewaretoken": token[1]})
        if response.status_code != 302:
            errors = [
                html.unescape(re.sub(r"<[^>]+>", " ", e)) for e in ERRORS.findall(response.text)
            ]
            pytest.fail(f"POST {path}: {response.status_code}, form errors: {errors}")
        location = response.headers["Location"]
        assert not location.startswith("https://"), f"unexpected https redirect: {location}"
        return location

    def hidden_inputs(self, path: str) -> dict[str, str]:
        return dict(HIDDEN_INPUT.findall(self.get(path).text))

    def log_in(self, username: str, password: str) -> None:
        location = self.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password, "next": "/admin/"},
        )
        assert location == "/admin/", f"login did not succeed (redirected to {location})"
