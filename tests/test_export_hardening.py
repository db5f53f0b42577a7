"""The export page under attack: password guessing locks out, crafted ids get a 400, every
refusal reaches that organization's auditors, and concurrent requests cannot beat the limit."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from apps_registry import roles
from apps_registry.models import AuditEvent
from apps_registry.views.export import (
    LOCKED_OUT_MESSAGE,
    MALFORMED_ID_MESSAGE,
    RATE_LIMIT_PER_HOUR,
    WRONG_PASSWORD_MESSAGE,
)
from tests.conftest import OPERATOR_PASSWORD
from tests.factories import make_application, make_user

EXPORT_URL = reverse("credentials_export")
LOGIN_URL = reverse("admin:login")


@pytest.fixture
def exporter(organization):
    return make_user("erin", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])


@pytest.fixture
def application(organization, scopes, actor):
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    return application


def _client(user, address="198.51.100.20") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def _export(client, application, password):
    data = {"app": [application.pk], "format": "env", "password": password}
    return client.post(EXPORT_URL, data)


def test_wrong_export_passwords_lock_the_user_out_like_wrong_logins(exporter, application):
    client = _client(exporter)
    for _ in range(4):
        response = _export(client, application, "guess")
        assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    response = _export(client, application, "guess")  # the fifth: locked out now
    assert response.status_code == 429
    response = _export(client, application, OPERATOR_PASSWORD)
    assert response.status_code == 429
    assert "attachment" not in response.get("Content-Disposition", "")
    assert LOCKED_OUT_MESSAGE in response.content.decode() or "locked" in str(response.content)
    login = Client(REMOTE_ADDR="198.51.100.20").post(
        LOGIN_URL, {"username": exporter.username, "password": OPERATOR_PASSWORD}
    )
    assert login.status_code == 429  # the same lockout as the login form
    assert not AuditEvent.objects.filter(action="export").exists()
    reasons = list(
        AuditEvent.objects.filter(action="export_denied").values_list("details__reason", flat=True)
    )
    assert reasons.count("wrong_password") >= 4 and "locked_out" in reasons


def test_wrong_password_refusals_are_visible_to_that_organizations_auditors(
    exporter, application, organization
):
    _export(_client(exporter), application, "guess")
    denied = AuditEvent.objects.get(action="export_denied")
    assert denied.organization == organization
    auditor = make_user("audrey", role=roles.AUDITOR, organizations=[organization])
    page = _client(auditor).get(reverse("admin:apps_registry_auditevent_changelist"))
    assert "export_denied" in page.content.decode()


def test_a_permission_refusal_is_recorded_in_the_users_organization(operator, organization):
    response = _client(operator).get(EXPORT_URL)
    assert response.status_code == 403
    assert AuditEvent.objects.get(action="export_denied").organization == organization


@pytest.mark.parametrize(
    "query", ["?app=99999999999999999999", "?app=-1", "?app=0", "?app=1e3", "?app=%D9%A1"]
)
def test_malformed_ids_get_a_400_and_are_audited(exporter, organization, query):
    response = _client(exporter).get(EXPORT_URL + query)
    assert response.status_code == 400
    assert MALFORMED_ID_MESSAGE in response.content.decode()
    denied = AuditEvent.objects.get(action="export_denied")
    assert denied.details["reason"] == "malformed_id"
    assert denied.organization == organization


def test_a_huge_id_in_a_post_gets_a_400_too(exporter, organization):
    data = {"app": ["99999999999999999999"], "format": "env", "password": OPERATOR_PASSWORD}
    assert _client(exporter).post(EXPORT_URL, data).status_code == 400


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_exports_cannot_exceed_the_hourly_limit(organization, scopes, actor):
    exporter = make_user("erin", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    attempts = RATE_LIMIT_PER_HOUR + 8
    clients = [_client(exporter) for _ in range(attempts)]
    start = threading.Barrier(attempts)
    statuses: list[int] = []

    def export(client: Client) -> None:
        try:
            start.wait()
            statuses.append(_export(client, application, OPERATOR_PASSWORD).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=export, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * RATE_LIMIT_PER_HOUR + [429] * 8
    assert AuditEvent.objects.filter(action="export").count() == RATE_LIMIT_PER_HOUR
