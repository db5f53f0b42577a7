"""App config for the registry: plugs the registry's own export source in at start-up."""

from django.apps import AppConfig


class AppsRegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps_registry"
    verbose_name = "Application registry"

    def ready(self) -> None:
        from apps_registry.export.applications import APPLICATION_SOURCE
        from apps_registry.plugins import register_export_source

        register_export_source(APPLICATION_SOURCE)
