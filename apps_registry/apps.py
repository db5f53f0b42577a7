"""App config for the registry: plugs the registry's own export source in at start-up."""

from django.apps import AppConfig

EXPIRY_SCAN_ENTRY = "Key-expiry alerts: daily scan"
# 06:00 UTC: before the working day in Europe and the Americas' night, so a key that
# crossed a lead time is announced while there is still a day to rotate it.
EXPIRY_SCAN_CRONTAB = {"minute": "0", "hour": "6"}
ZENOTI_CHECK_ENTRY = "Zenoti-issued keys: daily live check"
# 05:20 UTC: before the expiry scan, so a key Zenoti stopped accepting is known the same morning.
ZENOTI_CHECK_CRONTAB = {"minute": "20", "hour": "5"}


class AppsRegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps_registry"
    verbose_name = "Application registry"

    def ready(self) -> None:
        """Plug in the registry's export source, dashboard metrics, checks and alert scan."""
        from django.db.models.signals import post_migrate

        from apps_registry import checks
        from apps_registry import dashboard as _dashboard  # noqa: F401  (registers its metrics)
        from apps_registry.export.applications import APPLICATION_SOURCE
        from apps_registry.plugins import (
            PeriodicTaskSpec,
            register_dashboard_metric,
            register_export_source,
            register_periodic_task,
        )
        from apps_registry.tasks import SCAN_TASK, ZENOTI_DAILY_TASK
        from apps_registry.zenoti_dashboard import FAILING_ZENOTI_KEYS_METRIC

        register_export_source(APPLICATION_SOURCE)
        register_dashboard_metric(FAILING_ZENOTI_KEYS_METRIC)
        post_migrate.connect(checks.ensure_canary, sender=self)
        register_periodic_task(
            PeriodicTaskSpec(
                name=EXPIRY_SCAN_ENTRY,
                task=SCAN_TASK,
                crontab=EXPIRY_SCAN_CRONTAB,
                description="Level-triggered scan: one digest per organization, never twice.",
            )
        )
        register_periodic_task(
            PeriodicTaskSpec(
                name=ZENOTI_CHECK_ENTRY,
                task=ZENOTI_DAILY_TASK,
                crontab=ZENOTI_CHECK_CRONTAB,
                description="GET /v1/centers with every usable Zenoti-issued key; "
                "emails once when Zenoti stops accepting one.",
            )
        )
