"""A second operator in one step: a superuser adds a login with a role and organizations on one
page, the new person can log in and work at once, and someone in no organization is told why
the admin is empty instead of meeting an empty page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from apps_registry.actors import Actor
from apps_registry.models import AuditEvent, Organization
from apps_registry.roles import AUDITOR, OPERATOR
from apps_registry.services.users import NO_ORGANIZATION_MESSAGE, operator_create

ADD_URL = reverse("admin:auth_user_add")
PASSWORD = "a-long-Pass-phrase-42"


def _add(client: Client, **overrides: object):
    data = {
        "username": "nadia",
        "email": "nadia@serenity.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": OPERATOR,
        **overrides,
    }
    return client.post(ADD_URL, data)


def test_a_superuser_adds_an_operator_who_can_log_in_and_work(
    admin_client: Client, organization: Organization
) -> None:
    page = admin_client.get(ADD_URL).content.decode()
    for label in ("Email", "Role", "Organizations", "Credential exporter", "Serenity Spa"):
        assert label in page

    response = _add(admin_client, organizations=[organization.pk])
    assert response.status_code == 302
    user = User.objects.get(username="nadia")
    assert user.is_staff and not user.is_superuser
    assert [group.name for group in user.groups.all()] == [OPERATOR]
    assert list(user.organizations.all()) == [organization]
    event = AuditEvent.objects.get(action="user_create")
    assert event.organization == organization
    assert event.details == {"role": OPERATOR, "organizations": ["Serenity Spa"]}
    assert PASSWORD not in str(event.details)

    newcomer = Client()
    login = newcomer.post(
        reverse("admin:login"), {"username": "nadia", "password": PASSWORD, "next": "/admin/"}
    )
    assert login.status_code == 302 and login["Location"] == "/admin/"
    assert newcomer.get(reverse("admin:apps_registry_application_add")).status_code == 200
    assert newcomer.get(reverse("admin:apps_registry_organization_add")).status_code == 403


def test_the_user_page_lists_the_users_organizations(
    admin_client: Client, organization: Organization, other_organization: Organization
) -> None:
    user = operator_create(
        username="omar",
        email="omar@rival.test",
        password=PASSWORD,
        role=AUDITOR,
        organizations=[other_organization],
        actor=Actor.system(),
    )
    page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert "Organizations (the user sees only these)" in page
    assert "Rival Gym" in page
    listing = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Auditor" in listing and "Rival Gym" in listing


def test_no_organization_is_refused_on_the_field(admin_client: Client, db) -> None:
    response = _add(admin_client)
    assert response.status_code == 200
    assert NO_ORGANIZATION_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="nadia").exists()


def test_the_service_refuses_an_unknown_role(organization: Organization) -> None:
    with pytest.raises(ValueError, match="Choose one of the roles"):
        operator_create(
            username="x",
            email="x@example.test",
            password=PASSWORD,
            role="Root",
            organizations=[organization],
            actor=Actor.system(),
        )
    assert not User.objects.filter(username="x").exists()


def test_operators_cannot_manage_users(operator_client: Client) -> None:
    assert operator_client.get(ADD_URL).status_code == 403


def test_a_user_in_no_organization_sees_why_the_admin_is_empty(db) -> None:
    user = User.objects.create_user("lonely", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=OPERATOR))
    client = Client()
    client.force_login(user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "You are not in any organization yet" in page
    assert client.get(reverse("admin:apps_registry_application_add")).status_code == 403
    changelist = client.get(reverse("admin:apps_registry_application_changelist"))
    assert reverse("admin:apps_registry_application_add") not in changelist.content.decode()


def test_members_do_not_see_the_no_organization_note(operator_client: Client) -> None:
    page = operator_client.get(reverse("admin:index")).content.decode()
    assert "You are not in any organization yet" not in page
