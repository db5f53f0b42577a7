"""The shipped roles (apps_registry.roles, created by the data migrations) are what the user
fixtures get, so these pages answer as they would for a real operator, auditor or exporter."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _status(client: Client, name: str, *args: object) -> int:
    return client.get(reverse(f"admin:{name}", args=args)).status_code


def test_an_operator_manages_apps_and_sites_but_not_organizations_scopes_or_the_audit_log(
    operator_client, organization, scopes
) -> None:
    assert _status(operator_client, "apps_registry_application_add") == 200
    assert _status(operator_client, "connections_mindbodysiteconnection_add") == 200
    assert _status(operator_client, "apps_registry_organization_change", organization.pk) == 200
    assert _status(operator_client, "apps_registry_organization_add") == 403
    assert _status(operator_client, "apps_registry_organization_delete", organization.pk) == 403
    assert _status(operator_client, "apps_registry_apiscope_add") == 403
    assert _status(operator_client, "apps_registry_apiscope_delete", scopes[0].pk) == 403
    assert _status(operator_client, "apps_registry_auditevent_changelist") == 403


def test_an_auditor_reads_everything_and_changes_nothing(viewer, organization) -> None:
    client = Client()
    client.force_login(viewer)
    assert _status(client, "apps_registry_auditevent_changelist") == 200
    assert _status(client, "connections_mindbodysiteconnection_changelist") == 200
    assert _status(client, "apps_registry_application_add") == 403
    assert _status(client, "connections_mindbodysiteconnection_add") == 403
