"""Beat tasks: thin wrappers that run a pass and return its summary (ids in, counts out)."""

from __future__ import annotations

from celery import shared_task

from apps_registry.actors import Actor
from connections import services
from connections.apps import RENEW_TASK, VERIFY_TASK


@shared_task(name=RENEW_TASK)
def renew_mindbody_tokens() -> dict[str, int | str]:
    """Hourly: renew tokens lapsing within 6 hours; email when one can no longer be kept."""
    return services.mindbody_tokens_renew_due(actor=Actor.system()).summary()


@shared_task(name=VERIFY_TASK)
def verify_mindbody_connections() -> dict[str, int | str]:
    """Daily: check every key and site, and every live token; email on a new failure."""
    return services.mindbody_connections_verify_all(actor=Actor.system()).summary()
