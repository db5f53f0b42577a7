"""Every registered ModelAdmin: another organization's object is a 404, whatever the page.

A new admin must either be organization-scoped (and get a factory here) or be listed as a
global, superuser-only admin; the test fails until one of the two is true.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.models import ExpiryAlert
from tests.factories import (
    make_application,
    make_connection,
    make_key,
    make_user,
    make_verifier,
)

GLOBAL_ADMINS = {
    "auth.Group",
    "auth.User",
    "apps_registry.ApiScope",
    "otp_totp.TOTPDevice",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.SolarSchedule",
    "django_celery_beat.IntervalSchedule",
}


def _expiry_alert(organization, scopes):
    key = make_key(make_application(organization, name="Theirs", scopes=scopes))
    return ExpiryAlert.objects.create(api_key=key, threshold_days=7, expires_at=key.expires_at)


def _audit_event(organization, scopes):
    make_application(organization, name="Theirs", scopes=scopes)
    return organization.audit_events.get()


FACTORIES = {
    "apps_registry.Application": lambda organization, scopes: make_application(
        organization, name="Theirs", scopes=scopes
    ),
    "apps_registry.ApiKey": lambda organization, scopes: make_key(
        make_application(organization, name="Theirs", scopes=scopes)
    ),
    "apps_registry.VerifierToken": lambda organization, scopes: make_verifier(
        organization, name="Their gateway"
    )[0],
    "apps_registry.Organization": lambda organization, scopes: organization,
    "apps_registry.AuditEvent": _audit_event,
    "apps_registry.ExpiryAlert": _expiry_alert,
    "connections.MindbodySiteConnection": lambda organization, scopes: make_connection(
        organization, name="Their site", api_key="their-key"
    ),
}


def _registered():
    return {
        model._meta.label: (model, model_admin)
        for model, model_admin in admin.site._registry.items()
    }


def test_every_admin_is_scoped_or_declared_global():
    for label, (_, model_admin) in _registered().items():
        if isinstance(model_admin, OrganizationScopedAdmin):
            assert label in FACTORIES, f"{label} is scoped but has no factory in this test"
        else:
            assert label in GLOBAL_ADMINS, (
                f"{label} is neither organization-scoped nor declared global"
            )


@pytest.mark.parametrize("label", sorted(FACTORIES))
def test_another_organizations_object_is_404_on_every_page(
    label, organization, other_organization, scopes
):
    model, _ = _registered()[label]
    obj = FACTORIES[label](other_organization, scopes)
    user = make_user("scoped", permissions=[], organizations=[organization])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )
    )
    client = Client()
    client.force_login(user)
    info = (model._meta.app_label, model._meta.model_name)
    for page in ("change", "history", "delete"):
        url = reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[obj.pk])
        assert client.get(url).status_code == 404, (label, page)
    listing = client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist")).content.decode()
    assert f"/{obj.pk}/change/" not in listing


# The scope catalog is shared reference data (no tenant's data): operators may read it.
@pytest.mark.parametrize("label", sorted(GLOBAL_ADMINS - {"apps_registry.ApiScope"}))
def test_global_admins_are_closed_to_operators(label, operator_client):
    model, _ = _registered()[label]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert operator_client.get(url).status_code == 403
