"""A write refused because the encryption key is wrong answers 503, not a bare 500.

``apps_registry.fields`` refuses to encrypt anything while ``FIELD_ENCRYPTION_KEY`` cannot
decrypt the canary (a process started without ``manage.py check``). The transaction rolls
back, so nothing is saved; this middleware tells the user so in plain words, the same way
``/readyz`` reports the process as not ready.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps_registry.crypto import EncryptionKeyMismatchError

UNAVAILABLE_MESSAGE = (
    "Keyport cannot store secrets right now: FIELD_ENCRYPTION_KEY does not match this "
    "database. Nothing was saved. Ask the administrator to restore the right key."
)


class EncryptionKeyMismatchMiddleware:
    """``EncryptionKeyMismatchError`` from a view -> 503 with a plain message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, EncryptionKeyMismatchError):
            return HttpResponse(UNAVAILABLE_MESSAGE, status=503, content_type="text/plain")
        return None
