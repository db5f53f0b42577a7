"""App config for Mindbody connections; plugs its beat entries into the registry's list."""

from __future__ import annotations

from django.apps import AppConfig

RENEW_TASK = "connections.renew_mindbody_tokens"
VERIFY_TASK = "connections.verify_mindbody_connections"


class ConnectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connections"
    verbose_name = "Mindbody connections"

    def ready(self) -> None:
        # The registry never imports connections (docs/architecture.md): we hand it our schedule.
        from apps_registry.plugins import (
            PeriodicTaskSpec,
            register_dashboard_metric,
            register_export_source,
            register_periodic_task,
        )
        from connections.dashboard import (
            CALLS_30_DAYS_METRIC,
            CALLS_TODAY_METRIC,
            FAILING_SITES_METRIC,
        )
        from connections.export import CONNECTION_SOURCE

        register_export_source(CONNECTION_SOURCE)
        for metric in (FAILING_SITES_METRIC, CALLS_TODAY_METRIC, CALLS_30_DAYS_METRIC):
            register_dashboard_metric(metric)

        register_periodic_task(
            PeriodicTaskSpec(
                name="Renew Mindbody staff tokens",
                task=RENEW_TASK,
                crontab={"minute": "17"},
                description="Hourly: renew staff tokens that expire within 6 hours.",
            )
        )
        register_periodic_task(
            PeriodicTaskSpec(
                name="Verify Mindbody connections",
                task=VERIFY_TASK,
                crontab={"minute": "43", "hour": "5"},
                description=(
                    "Daily: check every connection's key and site (GET /site/locations) "
                    "and its staff token (GET /site/liabilitywaiver)."
                ),
            )
        )
