"""The audit log in plain words: action names people read, details as short rows, links.

Audit rows store stable action codes (``api_key_rotate``) and JSON details, which suit
machines and auditors' exports. People reading a History page want "Key rotated", the object
linked, and "Changed: name, scopes" instead of ``{"changed": ["name", "scopes"]}``. Codes
nobody named here still read well: ``mindbody_token_expired`` becomes "Mindbody token expired".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from apps_registry.models import AuditEvent

ACTION_LABELS: dict[str, str] = {
    "application_create": "Application registered",
    "application_record": "Application recorded (credentials issued by Zenoti)",
    "application_update": "Application changed",
    "application_delete": "Application deleted",
    "api_key_generate": "Key generated",
    "api_key_rotate": "Key rotated",
    "api_key_revoke": "Key revoked",
    "api_key_record": "Key recorded",
    "api_key_record_replacement": "Replacement key recorded",
    "zenoti_key_check": "Key checked with Zenoti",
    "export": "Credentials exported",
    "export_denied": "Export refused",
    "expiry_alert_retry": "Failed alerts retried",
    "mindbody_connection_create": "Mindbody site added",
    "mindbody_connection_update": "Mindbody site changed",
    "mindbody_connection_delete": "Mindbody site deleted",
    "mindbody_token_issue": "Staff token issued",
    "mindbody_token_renew": "Staff token renewed",
    "mindbody_token_revoke": "Staff token revoked",
    "mindbody_token_expired": "Staff token can no longer be used or renewed",
    "mindbody_token_renew_uncertain": "Staff token renewal unconfirmed (counted as spent)",
    "mindbody_api_key_refused": "Mindbody refused the API key",
    "mindbody_verify": "Site verified",
    "mindbody_activation_fetch": "Activation link fetched",
    "two_factor_enrol": "Authenticator enrolled",
    "two_factor_reset": "Authenticator reset",
    "user_create": "User added",
    "expiry_alert_test": "Test alert sent",
}
FAILED_SUFFIX = "_failed"
DETAIL_LABELS = {"changed": "Changed", "items": "Exported", "file": "File", "format": "Format"}
SUMMARY_LENGTH = 90


def _when(text: str) -> str | None:
    """``2027-12-01 08:28 UTC`` for an ISO 8601 timestamp, else None."""
    if len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def action_label(action: str) -> str:
    """The plain name of an action code; ``*_failed`` codes say so."""
    if action.endswith(FAILED_SUFFIX):
        return f"{action_label(action.removesuffix(FAILED_SUFFIX))}: failed"
    return ACTION_LABELS.get(action) or action.replace("_", " ").capitalize()


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        if "name" in value and "type" in value:  # an exported item
            return f"{value['name']} ({value['type']})"
        return ", ".join(f"{key}: {_value_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(item) for item in value) or "none"
    if value is None or value == "":
        return "—"
    return _when(value) or value if isinstance(value, str) else str(value)


def detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """``[("Changed", "name, scopes"), ...]``: one readable row per detail."""
    return [
        (DETAIL_LABELS.get(key) or key.replace("_", " ").capitalize(), _value_text(value))
        for key, value in details.items()
    ]


def detail_summary(details: dict[str, Any]) -> str:
    """The rows on one line, shortened for list pages (the event's page has them all)."""
    line = "; ".join(f"{label}: {text}" for label, text in detail_rows(details))
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1] + "…"


def target_url(event: AuditEvent) -> str | None:
    """The admin page of the event's target, if it still exists in the admin."""
    if not event.target_type or not event.target_id:
        return None
    try:
        model = apps.get_model(event.target_type)
        meta = model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[event.target_id])
    except (LookupError, ValueError, NoReverseMatch):
        return None
