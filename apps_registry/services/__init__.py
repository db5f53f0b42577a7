"""Every write of the registry: keyword-only, typed, atomic, validated, audited.

Each function runs ``full_clean()`` before saving so the same rules hold for the admin, the
command line and tests, and writes one ``AuditEvent`` that never carries a secret.
"""

from apps_registry.services.applications import (
    application_create,
    application_record,
    application_update,
)
from apps_registry.services.keys import (
    KeyStateError,
    api_key_generate,
    api_key_revoke,
    api_key_rotate,
    api_key_verify,
)

__all__ = [
    "KeyStateError",
    "api_key_generate",
    "api_key_revoke",
    "api_key_rotate",
    "api_key_verify",
    "application_create",
    "application_record",
    "application_update",
]
