"""Give the Operator, Credential exporter and Auditor groups their connection permissions."""

from django.db import migrations

from apps_registry.roles import AUDITOR, CREDENTIAL_EXPORTER, OPERATOR, sync_role_permissions

MANAGE = [f"{verb}_mindbodysiteconnection" for verb in ("add", "change", "delete", "view")]
PERMISSIONS = {
    OPERATOR: MANAGE,
    CREDENTIAL_EXPORTER: MANAGE,
    AUDITOR: ["view_mindbodysiteconnection"],
}


def grant(apps, schema_editor):
    sync_role_permissions(apps, "connections", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0001_initial"),
        ("apps_registry", "0005_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
