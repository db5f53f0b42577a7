"""The three roles of docs/architecture.md as Django groups, kept in sync by data migrations.

Each app lists the permission codenames it contributes per role; ``connections`` adds its
own in its migrations. ``sync_role_permissions`` only adds, so running it twice is harmless.
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
ROLES = (OPERATOR, CREDENTIAL_EXPORTER, AUDITOR)

_MANAGE = ("add", "change", "delete", "view")
REGISTRY_PERMISSIONS: dict[str, list[str]] = {
    OPERATOR: [
        f"{verb}_{model}"
        for model in ("application", "redirecturl", "apikey", "verifiertoken")
        for verb in _MANAGE
    ]
    + ["view_organization", "change_organization", "view_apiscope"],
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
