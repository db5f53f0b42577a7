"""Domain model of the registry; names follow DESIGN.md because other parts rely on them."""

from apps_registry.models.alerts import ExpiryAlert, ExpiryAlertStatus
from apps_registry.models.applications import ApiScope, Application, RedirectURL
from apps_registry.models.audit import AuditEvent
from apps_registry.models.canary import EncryptionCanary
from apps_registry.models.keys import ApiKey, ApiKeyStatus
from apps_registry.models.organizations import Organization
from apps_registry.models.verifiers import VerifierToken, VerifierTokenStatus

__all__ = [
    "ApiKey",
    "ApiKeyStatus",
    "ApiScope",
    "Application",
    "AuditEvent",
    "EncryptionCanary",
    "ExpiryAlert",
    "ExpiryAlertStatus",
    "Organization",
    "RedirectURL",
    "VerifierToken",
    "VerifierTokenStatus",
]
