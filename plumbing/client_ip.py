"""The client's IP address, behind the compose proxy or not.

``REMOTE_ADDR`` is the peer; behind N trusted reverse proxies (``KEYPORT_TRUSTED_PROXIES=N``)
the client is the N-th address from the right of ``X-Forwarded-For``. Anything further left
was written by the client and cannot be trusted. Used by the audit log and django-axes.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address to audit and to lock out; ``None`` when there is none."""
    trusted = int(settings.KEYPORT_TRUSTED_PROXIES)
    if trusted > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR") or None
