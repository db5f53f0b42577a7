"""Hand a freshly generated secret from the POST that made it to the page that shows it.

The secret travels in the server-side session (never a cookie), encrypted with the field
key so that even the session table never holds it in plaintext, and is removed the first
time it is read: a reload shows a notice instead of the secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from apps_registry import crypto

SESSION_KEY = "keyport_show_once"


@dataclass(frozen=True)
class ShownValue:
    """One labelled value on the show-once page (e.g. "Secret", "API key")."""

    label: str
    value: str
    secret: bool


@sensitive_variables("values", "payload")
def stash(request: HttpRequest, *, target: str, values: list[ShownValue]) -> None:
    """Keep ``values`` for the next show-once page of ``target`` (e.g. ``app:12``)."""
    payload = json.dumps([[v.label, v.value, v.secret] for v in values])
    request.session[SESSION_KEY] = {"target": target, "token": crypto.encrypt(payload)}


def pop(request: HttpRequest, *, target: str) -> list[ShownValue]:
    """The stashed values for ``target``, removed from the session; empty if none."""
    stashed = request.session.get(SESSION_KEY)
    if not stashed or stashed.get("target") != target:
        return []
    del request.session[SESSION_KEY]
    return [
        ShownValue(label, value, secret)
        for label, value, secret in json.loads(crypto.decrypt(stashed["token"]))
    ]
