"""Domain model of the registry; other parts rely on these names (docs/architecture.md)."""

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
