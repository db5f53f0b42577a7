"""Beat tasks: thin wrappers that run a pass and return its summary (ids in, counts out)."""

from __future__ import annotations

from celery import shared_task

from apps_registry.actors import Actor
from connections import services
from connections.apps import RENEW_TASK, VERIFY_TASK
from connections.models import MindbodySiteConnection


@shared_task(name=RENEW_TASK)
def renew_mindbody_tokens() -> dict[str, int | str]:
    """Hourly: renew tokens lapsing within 6 hours; email when one can no longer be kept."""
    return services.mindbody_tokens_renew_due(actor=Actor.system()).summary()


@shared_task(name=VERIFY_TASK)
def verify_mindbody_connections() -> dict[str, int | str]:
    """Daily: prove every connection answers; email on an active site's first failure."""
    return services.mindbody_connections_verify_all(actor=Actor.system()).summary()


@shared_task(name="connections.renew_mindbody_token")
def renew_mindbody_token(connection_id: int) -> str:
    """Renew one connection's token (queued from elsewhere); returns the plain outcome."""
    connection = MindbodySiteConnection.objects.get(pk=connection_id)
    try:
        return services.mindbody_token_renew(connection=connection, actor=Actor.system()).message
    except services.ConnectionActionError as exc:
        return str(exc)
