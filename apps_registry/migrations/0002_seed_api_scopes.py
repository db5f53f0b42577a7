"""Seed a Zenoti-like catalog of API scopes (operators can edit it in the admin later)."""

from django.db import migrations

CATALOG = {
    "Guests": ("guests", ("read", "write")),
    "Appointments": ("appointments", ("read", "write")),
    "Services": ("services", ("read",)),
    "Service Booking": ("service_booking", ("read", "write")),
    "Center Master": ("centers", ("read",)),
    "Invoices": ("invoices", ("read", "write")),
    "Invoice Payments": ("invoice_payments", ("read", "write")),
    "Memberships": ("memberships", ("read", "write")),
    "Gift Cards": ("gift_cards", ("read", "write")),
    "Forms": ("forms", ("read", "write")),
    "Opportunities": ("opportunities", ("read", "write")),
    "Classes": ("classes", ("read", "write")),
    "Employees": ("employees", ("read",)),
}


def seed(apps, schema_editor):
    ApiScope = apps.get_model("apps_registry", "ApiScope")
    for group, (stem, permissions) in CATALOG.items():
        for permission in permissions:
            ApiScope.objects.get_or_create(
                code=f"{stem}.{permission}",
                defaults={"group": group, "label": f"{group} ({permission})"},
            )


def unseed(apps, schema_editor):
    ApiScope = apps.get_model("apps_registry", "ApiScope")
    codes = [f"{stem}.{p}" for stem, perms in CATALOG.values() for p in perms]
    ApiScope.objects.filter(code__in=codes, applications__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("apps_registry", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
