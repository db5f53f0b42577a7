"""Admin registrations: thin over services and selectors, scoped to the user's organizations."""

from apps_registry.admin import applications, others

__all__ = ["applications", "others"]
