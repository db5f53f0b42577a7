"""Admin registrations: thin over services and selectors, scoped to the user's organizations."""

from apps_registry.admin import alerts, applications, keys, others, users

__all__ = ["alerts", "applications", "keys", "others", "users"]
