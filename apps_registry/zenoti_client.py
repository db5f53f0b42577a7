"""The process's Zenoti client, built from the ``ZENOTI_*`` settings.

Kept apart from ``apps_registry.zenoti`` so the client itself knows nothing of Django's
settings; this module binds it to them and rebuilds it when a test changes them. One client
per process means one rate limiter per process, shared by every thread of a pass.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from apps_registry.zenoti import RateLimiter, ZenotiClient


@functools.cache
def default_client() -> ZenotiClient:
    """The process's client, built on first use (after a worker forks)."""
    return ZenotiClient(
        connect_timeout=settings.ZENOTI_CONNECT_TIMEOUT,
        read_timeout=settings.ZENOTI_READ_TIMEOUT,
        max_retries=settings.ZENOTI_MAX_RETRIES,
        retry_after_max=settings.ZENOTI_RETRY_AFTER_MAX,
        pool_size=settings.ZENOTI_MAX_CONCURRENCY,
        limiter=RateLimiter(settings.ZENOTI_CALLS_PER_MINUTE),
    )


@receiver(setting_changed)
def _forget_client(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("ZENOTI_") and default_client.cache_info().currsize:
        default_client().session.close()
        default_client.cache_clear()
