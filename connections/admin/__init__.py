"""Admin for Mindbody connections: scoped to the user's organizations, thin over services."""

from connections.admin import connections

__all__ = ["connections"]
