"""The roles of docs/architecture.md as Django groups, kept in sync by data migrations.

Each app lists the permission codenames it contributes per role; ``connections`` adds its
own in its migrations. ``sync_role_permissions`` only adds, so running it twice is harmless;
``revoke_role_permissions`` takes back what a later release moved to another role.

Organization settings (key lifetime, grace, lead times, recipients, alerts on/off) belong to
the **Organization admin**: an Operator with ``change_organization``. Operators, exporters
and auditors see them read-only; only a superuser creates tenants, renames them or changes
who belongs where.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

EXPORT_CODENAME = "export_credentials"
EXPORT_PERMISSION = f"apps_registry.{EXPORT_CODENAME}"  # what ``user.has_perm`` is asked
EXPORT_PERMISSION_LABEL = "Can export credentials (plaintext secrets)"

OPERATOR = "Operator"
CREDENTIAL_EXPORTER = "Credential exporter"
AUDITOR = "Auditor"
ORGANIZATION_ADMIN = "Organization admin"
ROLES = (OPERATOR, CREDENTIAL_EXPORTER, AUDITOR, ORGANIZATION_ADMIN)

_MANAGE = ("add", "change", "delete", "view")
REGISTRY_PERMISSIONS: dict[str, list[str]] = {
    OPERATOR: [
        f"{verb}_{model}"
        for model in ("application", "redirecturl", "apikey", "verifiertoken")
        for verb in _MANAGE
    ]
    + ["view_organization", "view_apiscope"],
    AUDITOR: [
        f"view_{model}"
        for model in (
            "application",
            "redirecturl",
            "apikey",
            "organization",
            "apiscope",
            "auditevent",
            "verifiertoken",
        )
    ],
}
REGISTRY_PERMISSIONS[CREDENTIAL_EXPORTER] = [*REGISTRY_PERMISSIONS[OPERATOR], EXPORT_CODENAME]
REGISTRY_PERMISSIONS[ORGANIZATION_ADMIN] = [*REGISTRY_PERMISSIONS[OPERATOR], "change_organization"]
# Operators (and exporters, who are operators) could change organization settings before.
MOVED_TO_ORGANIZATION_ADMIN: dict[str, list[str]] = {
    OPERATOR: ["change_organization"],
    CREDENTIAL_EXPORTER: ["change_organization"],
}


def sync_role_permissions(apps: Any, app_label: str, permissions: dict[str, Iterable[str]]) -> None:
    """Create the groups if needed and grant them ``app_label``'s listed permissions.

    Meant for ``RunPython`` in data migrations: permissions are created on the spot because
    Django normally creates them only after all migrations ran.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in permissions.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=list(codenames)
            )
        )


def revoke_role_permissions(
    apps: Any, app_label: str, permissions: dict[str, Iterable[str]]
) -> None:
    """Take ``app_label``'s listed permissions away from existing groups (``RunPython``)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in permissions.items():
        group = group_model.objects.filter(name=role).first()
        if group is None:
            continue
        group.permissions.remove(
            *permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=list(codenames)
            )
        )
