"""App config for the registry: plugs the registry's own export source in at start-up."""

from django.apps import AppConfig


class AppsRegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps_registry"
    verbose_name = "Application registry"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps_registry import checks
        from apps_registry import dashboard as _dashboard  # noqa: F401  (registers its metrics)
        from apps_registry.export.applications import APPLICATION_SOURCE
        from apps_registry.plugins import register_export_source

        register_export_source(APPLICATION_SOURCE)
        post_migrate.connect(checks.ensure_canary, sender=self)
