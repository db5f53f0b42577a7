"""Every write of the registry: keyword-only, typed, atomic, validated, audited.

Each function runs ``full_clean()`` before saving so the same rules hold for the admin, the
command line and tests, and writes one ``AuditEvent`` that never carries a secret.
"""

from apps_registry.services.applications import application_create, application_update
from apps_registry.services.keys import (
    ZENOTI_ISSUES_KEYS_MESSAGE,
    KeyStateError,
    api_key_generate,
    api_key_revoke,
    api_key_rotate,
)
from apps_registry.services.recorded_apps import application_record
from apps_registry.services.recorded_keys import api_key_record
from apps_registry.services.verification import Verdict, Verification, api_key_verify
from apps_registry.services.verifier_auth import (
    VerifierIdentity,
    VerifierRefusedError,
    verifier_token_authenticate,
)
from apps_registry.services.verifiers import (
    VerifierStateError,
    verifier_token_create,
    verifier_token_revoke,
    verifier_token_rotate,
)
from apps_registry.services.zenoti_checks import zenoti_key_check, zenoti_keys_check_all

__all__ = [
    "ZENOTI_ISSUES_KEYS_MESSAGE",
    "KeyStateError",
    "Verdict",
    "Verification",
    "VerifierIdentity",
    "VerifierRefusedError",
    "VerifierStateError",
    "api_key_generate",
    "api_key_record",
    "api_key_revoke",
    "api_key_rotate",
    "api_key_verify",
    "application_create",
    "application_record",
    "application_update",
    "verifier_token_authenticate",
    "verifier_token_create",
    "verifier_token_revoke",
    "verifier_token_rotate",
    "zenoti_key_check",
    "zenoti_keys_check_all",
]
