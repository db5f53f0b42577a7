"""The process's Mindbody client, built from the ``MINDBODY_*`` settings.

Kept apart from ``connections.mindbody`` so the client itself knows nothing of Django; this
module binds it to settings and rebuilds it when a test (or the benchmark) changes them,
and hands every call the client sends to the process's call tally (the daily call budget).
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from connections.call_tally import TALLY
from connections.mindbody import MindbodyClient


@functools.cache
def default_client() -> MindbodyClient:
    """The process's client, built from ``MINDBODY_*`` settings on first use (after fork)."""
    return MindbodyClient(
        base_url=settings.MINDBODY_API_BASE_URL,
        connect_timeout=settings.MINDBODY_CONNECT_TIMEOUT,
        read_timeout=settings.MINDBODY_READ_TIMEOUT,
        max_retries=settings.MINDBODY_MAX_RETRIES,
        backoff_factor=settings.MINDBODY_BACKOFF_FACTOR,
        retry_after_max=settings.MINDBODY_RETRY_AFTER_MAX,
        pool_size=settings.MINDBODY_MAX_CONCURRENCY,
        on_call=TALLY.add,
    )


@receiver(setting_changed)
def _forget_client(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("MINDBODY_") and default_client.cache_info().currsize:
        default_client().session.close()
        default_client.cache_clear()
