"""Names stored before they were refused cannot stop expiry alerts or drive a terminal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps_registry.alerts.claims import expiry_alerts_scan
from apps_registry.models import Application, ExpiryAlert, ExpiryAlertStatus, Organization
from apps_registry.tasks import send_expiry_digest
from apps_registry.validators import CONTROL_CHARACTERS
from plumbing.terminal import SafeOutputWrapper, escape_controls
from tests.factories import make_application, make_key
from tests.support_alerts import in_days

pytestmark = pytest.mark.django_db
HOSTILE = "Spa\nBcc: victim@example.com"


@pytest.fixture
def two_organizations(organization):
    other = Organization.objects.create(
        name="Zen Gym", slug="zen-gym", alert_recipients=["zen@gym.test"]
    )
    for tenant in (organization, other):
        make_key(
            make_application(tenant, name=f"Booking {tenant.slug}"),
            expires_at=in_days(5, timezone.now()),
        )
    Organization.objects.filter(pk=organization.pk).update(name=HOSTILE)  # stored long ago
    return organization, other


def test_a_newline_in_one_organizations_name_stops_no_digest_cli(two_organizations, mailoutbox):
    call_command("send_expiry_alerts", stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(m.to[0] for m in mailoutbox) == ["ops@serenity.test", "zen@gym.test"]
    assert all("\n" not in m.subject and "\r" not in m.subject for m in mailoutbox)
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {ExpiryAlertStatus.SENT}


def test_a_newline_in_one_organizations_name_stops_no_digest_celery(two_organizations, mailoutbox):
    report = expiry_alerts_scan(now=timezone.now())
    for batch in report.batches:
        send_expiry_digest.apply(
            kwargs={"organization_id": batch.organization_id, "claim": batch.claim}
        ).get()
    assert len(mailoutbox) == 2
    assert set(ExpiryAlert.objects.values_list("status", flat=True)) == {ExpiryAlertStatus.SENT}


def test_organization_names_refuse_control_characters(organization):
    superuser_client = Client()
    from django.contrib.auth.models import User

    superuser_client.force_login(
        User.objects.create_superuser("root", "root@example.com", "root-pass-1234")
    )
    url = reverse("admin:apps_registry_organization_change", args=[organization.pk])
    response = superuser_client.post(
        url,
        {
            "name": "Spa\nBcc: x@example.com",
            "slug": organization.slug,
            "api_key_lifetime_days": 365,
            "rotation_grace_days": 7,
            "expiry_alert_days": "30, 7, 1",
            "alert_recipients": "ops@serenity.test",
            "alerts_enabled": "on",
        },
    )
    assert response.context["adminform"].form.errors["name"] == [CONTROL_CHARACTERS]
    organization.refresh_from_db()
    assert organization.name == "Serenity Spa"


def test_dry_run_shows_terminal_escapes_instead_of_running_them(organization, capsys):
    application = make_application(organization, name="Booking")
    make_key(application, expires_at=in_days(5, timezone.now()))
    Application.objects.filter(pk=application.pk).update(name="Evil\x1b]0;owned\x07\x1b[2J\r")
    call_command("send_expiry_alerts", "--dry-run")
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "Evil\\x1b]0;owned\\x07\\x1b[2J\\x0d" in out


def test_every_command_writes_through_the_escaping_wrapper():
    from django.core.management import get_commands, load_command_class

    ours = {
        name: app for name, app in get_commands().items() if app in {"apps_registry", "connections"}
    }
    assert len(ours) >= 9
    for name, app in ours.items():
        command = load_command_class(app, name)
        assert isinstance(command.stdout, SafeOutputWrapper), name
        assert isinstance(command.stderr, SafeOutputWrapper), name


def test_escape_controls_keeps_newlines_and_shows_everything_else():
    assert escape_controls("a\nb") == "a\nb"
    assert escape_controls("\x1b[31m\x9b\u2028\u202e\x7f") == "\\x1b[31m\\x9b\\u2028\\u202e\\x7f"
