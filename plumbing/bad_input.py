"""Crafted numbers become a 400, never a 500.

Django's model choice fields look a posted id up as given: an id beyond what the database
column holds raises ``OverflowError`` (SQLite) or ``DataError`` (PostgreSQL) from inside
form validation, before anything is written. This middleware answers such a request with
a plain 400 (and logs it at WARNING, without the request body).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

logger = logging.getLogger(__name__)

OUT_OF_RANGE_MESSAGE = "The request held a number out of range. Nothing was changed."


class OutOfRangeInputMiddleware:
    """``OverflowError``/``DataError`` raised by a view -> 400 with a plain message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError | DataError):
            logger.warning("Out-of-range input on %s: %s", request.path, type(exception).__name__)
            return HttpResponseBadRequest(OUT_OF_RANGE_MESSAGE, content_type="text/plain")
        return None
