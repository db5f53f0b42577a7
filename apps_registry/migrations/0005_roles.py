"""Create the Operator, Credential exporter and Auditor groups with the registry's perms."""

from django.db import migrations

from apps_registry.roles import REGISTRY_PERMISSIONS, sync_role_permissions


def grant(apps, schema_editor):
    sync_role_permissions(apps, "apps_registry", REGISTRY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("apps_registry", "0004_export_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
