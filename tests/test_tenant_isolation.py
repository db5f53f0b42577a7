"""Tenants see nothing of each other: filters, choices and uniqueness errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps_registry import credentials, roles, services
from apps_registry.actors import Actor
from apps_registry.models import Application, AuditEvent, Organization
from apps_registry.models.applications import APPLICATION_ID_TAKEN
from apps_registry.models.keys import API_KEY_TAKEN
from apps_registry.services.keys import store_key
from tests.factories import make_user
from tests.test_admin_applications import _form_data

ADD_URL = reverse("admin:apps_registry_application_add")


@pytest.fixture
def rival_app(other_organization, scopes):
    application = services.application_record(
        organization=other_organization,
        name="Rival booking",
        uri="https://rival.example.com",
        login_user_type="guest",
        source_app="bot",
        scopes=scopes,
        application_id="zen-rival-app",
        secret="rival-secret-value",
        zenoti_account_name="rivalgym",
        actor=Actor.system(),
    )
    store_key(  # the key another tenant recorded (no live Zenoti check needed here)
        application=application,
        prefix=credentials.new_key_prefix(credentials.RECORDED_PREFIX_MARK),
        raw_key="rival-api-key-value",
        expires_at=timezone.now() + dt.timedelta(days=30),
        actor=Actor.system(),
    )
    return application


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:apps_registry_application_changelist",
        "admin:connections_mindbodysiteconnection_changelist",
        "admin:apps_registry_auditevent_changelist",
    ],
)
def test_the_organization_filter_lists_only_the_users_organizations(
    organization, other_organization, rival_app, changelist
):
    second = Organization.objects.create(name="Second Studio", slug="second-studio")
    for role in (roles.OPERATOR, roles.AUDITOR):
        user = make_user(f"user-{len(role)}", role=role, organizations=[organization, second])
        client = Client()
        client.force_login(user)
        response = client.get(reverse(changelist))
        if response.status_code == 403:
            continue  # operators have no audit log
        page = response.content.decode()
        assert "By organization" in page
        assert organization.name in page and second.name in page
        assert other_organization.name not in page


def test_recording_an_application_id_another_tenant_holds_is_a_neutral_form_error(
    operator_client, organization, scopes, rival_app
):
    data = _form_data(
        organization,
        scopes,
        credential_mode="record",
        recorded_application_id="zen-rival-app",
        recorded_secret="my-secret",
    )
    response = operator_client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["recorded_application_id"] == [APPLICATION_ID_TAKEN]
    assert "Rival" not in APPLICATION_ID_TAKEN and "organization" not in APPLICATION_ID_TAKEN
    assert not Application.objects.filter(organization=organization).exists()


def test_recording_an_api_key_another_tenant_holds_is_a_neutral_form_error(
    operator_client, organization, scopes, rival_app
):
    data = _form_data(
        organization,
        scopes,
        credential_mode="record",
        recorded_application_id="zen-my-app",
        recorded_secret="my-secret",
        recorded_api_key="rival-api-key-value",
        recorded_api_key_expires_on="2099-01-01",
    )
    response = operator_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["recorded_api_key"] == [API_KEY_TAKEN]
    assert not Application.objects.filter(organization=organization).exists()


def test_organization_admins_cannot_rename_into_another_tenants_name(
    organization, other_organization
):
    admin_user = make_user("olga", role=roles.ORGANIZATION_ADMIN, organizations=[organization])
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:apps_registry_organization_change", args=[organization.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' not in page and 'name="slug"' not in page  # read-only for tenants
    client.post(
        url,
        {
            "name": other_organization.name,
            "slug": other_organization.slug,
            "api_key_lifetime_days": 200,
            "rotation_grace_days": 7,
            "expiry_alert_days": "30, 7, 1",
            "alert_recipients": "ops@serenity.test",
            "alerts_enabled": "on",
        },
    )
    organization.refresh_from_db()
    assert organization.name == "Serenity Spa" and organization.api_key_lifetime_days == 200
    assert AuditEvent.objects.filter(action="organization_update").count() == 1


def test_an_organization_name_or_slug_taken_by_another_tenant_is_a_neutral_error(
    organization, other_organization
):
    from django.core.exceptions import ValidationError

    from apps_registry.models.organizations import NAME_TAKEN, SLUG_TAKEN

    organization.name, organization.slug = other_organization.name, other_organization.slug
    with pytest.raises(ValidationError) as raised:
        organization.full_clean()
    assert raised.value.message_dict == {"name": [NAME_TAKEN], "slug": [SLUG_TAKEN]}
    assert other_organization.name not in NAME_TAKEN and "organization" not in NAME_TAKEN
