"""Every destructive act and settings change writes an audit event with before/after values,
never a secret; organization settings belong to the Organization admin role."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from apps_registry import roles, services
from apps_registry.models import ApiKey, Application, AuditEvent
from apps_registry.services.organizations import application_delete
from connections.models import MindbodySiteConnection
from tests.factories import make_application, make_user


@pytest.fixture
def application(organization, scopes, actor):
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    return application


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_deleting_an_app_in_the_admin_is_audited(operator_client, application):
    url = reverse("admin:apps_registry_application_delete", args=[application.pk])
    assert operator_client.post(url, {"post": "yes"}).status_code == 302
    assert not Application.objects.exists()
    event = AuditEvent.objects.get(action="application_delete")
    assert event.details["application_id"] == application.application_id
    assert event.organization_id == application.organization_id
    assert application.secret not in json.dumps(event.details)


def test_deleting_an_app_with_its_keys_is_audited_without_a_secret(application, actor):
    key, raw_key = services.api_key_generate(application=application, actor=actor)
    application_delete(application=application, actor=actor)
    assert not Application.objects.exists() and not ApiKey.objects.exists()
    event = AuditEvent.objects.get(action="application_delete")
    assert event.details["key_prefixes"] == [key.prefix]
    dumped = json.dumps(event.details)
    assert raw_key not in dumped and application.secret not in dumped


def test_bulk_deleting_apps_audits_each_one(operator_client, organization, scopes, actor):
    apps = [
        services.application_create(
            organization=organization,
            name=f"App {n}",
            uri="https://booking.example.com",
            login_user_type="guest",
            source_app="bot",
            scopes=scopes,
            actor=actor,
        )[0]
        for n in range(3)
    ]
    response = operator_client.post(
        reverse("admin:apps_registry_application_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in apps], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Application.objects.exists()
    names = AuditEvent.objects.filter(action="application_delete").values_list(
        "details__name", flat=True
    )
    assert sorted(names) == ["App 0", "App 1", "App 2"]


def test_deleting_a_mindbody_connection_is_audited(organization):
    operator = make_user("ozzie", role=roles.OPERATOR, organizations=[organization])
    connection = MindbodySiteConnection.objects.create(
        organization=organization, name="Studio", site_id=-99, api_key="abc123secret"
    )
    url = reverse("admin:connections_mindbodysiteconnection_delete", args=[connection.pk])
    assert _client(operator).post(url, {"post": "yes"}).status_code == 302
    event = AuditEvent.objects.get(action="mindbody_connection_delete")
    assert event.organization == organization and event.target_repr.startswith("Studio")
    assert "abc123secret" not in json.dumps(event.details)


SETTINGS_FORM = {
    "api_key_lifetime_days": 90,
    "rotation_grace_days": 3,
    "expiry_alert_days": "14, 1",
    "alert_recipients": "ops@serenity.test\nsec@serenity.test",
}


def test_organization_admins_change_settings_and_each_change_is_audited(organization):
    admin_user = make_user("olga", role=roles.ORGANIZATION_ADMIN, organizations=[organization])
    url = reverse("admin:apps_registry_organization_change", args=[organization.pk])
    response = _client(admin_user).post(url, SETTINGS_FORM)  # alerts_enabled unticked
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organization_update")
    assert event.details["changes"] == {
        "api_key_lifetime_days": {"before": 365, "after": 90},
        "rotation_grace_days": {"before": 7, "after": 3},
        "expiry_alert_days": {"before": [30, 7, 1], "after": [14, 1]},
        "alert_recipients": {
            "before": ["ops@serenity.test"],
            "after": ["ops@serenity.test", "sec@serenity.test"],
        },
        "alerts_enabled": {"before": True, "after": False},
    }
    assert event.organization == organization and event.actor == admin_user


@pytest.mark.parametrize("role", [roles.OPERATOR, roles.CREDENTIAL_EXPORTER, roles.AUDITOR])
def test_other_roles_see_organization_settings_read_only(organization, role):
    user = make_user("ozzie", role=role, organizations=[organization])
    url = reverse("admin:apps_registry_organization_change", args=[organization.pk])
    page = _client(user).get(url)
    assert page.status_code == 200
    assert 'name="api_key_lifetime_days"' not in page.content.decode()
    _client(user).post(url, SETTINGS_FORM)
    organization.refresh_from_db()
    assert organization.api_key_lifetime_days == 365
    assert not AuditEvent.objects.filter(action="organization_update").exists()


def test_the_roles_grant_what_the_readme_says(db):
    def codenames(role: str) -> set[str]:
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    admin_perms, operator_perms = codenames(roles.ORGANIZATION_ADMIN), codenames(roles.OPERATOR)
    assert "change_organization" in admin_perms
    assert admin_perms - operator_perms == {"change_organization"}
    for role in (roles.OPERATOR, roles.CREDENTIAL_EXPORTER, roles.AUDITOR):
        assert "change_organization" not in codenames(role)
    assert "export_credentials" not in admin_perms
