"""Admin registrations: thin over services and selectors, scoped to the user's organizations."""

from apps_registry.admin import alerts, applications, keys, others, users, verifiers

__all__ = ["alerts", "applications", "keys", "others", "users", "verifiers"]
