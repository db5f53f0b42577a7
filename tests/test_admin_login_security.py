"""Admin login hardening: lockout after 5 failures, two-factor when required, recovery."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps_registry.models import AuditEvent
from config.two_factor import WRONG_CODE_MESSAGE
from tests.conftest import OPERATOR_PASSWORD

LOGIN_URL = reverse("admin:login")
INDEX_URL = reverse("admin:index")
TWO_FACTOR_URL = reverse("two_factor")


def _login(client: Client, username: str, password: str, **extra) -> int:
    response = client.post(
        LOGIN_URL, {"username": username, "password": password, "next": INDEX_URL}, **extra
    )
    return response.status_code


def test_five_failures_lock_out_even_the_right_password(operator):
    client = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        assert _login(client, operator.username, "wrong-password") in (200, 429)
    assert _login(client, operator.username, OPERATOR_PASSWORD) == 429
    assert client.get(INDEX_URL).status_code == 302  # still not logged in
    other_ip = Client(REMOTE_ADDR="198.51.100.5")
    assert _login(other_ip, operator.username, OPERATOR_PASSWORD) == 302


def test_lockout_ends_after_the_cool_off(operator):
    client = Client(REMOTE_ADDR="198.51.100.4")
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _login(client, operator.username, "wrong-password")
        assert _login(client, operator.username, OPERATOR_PASSWORD) == 429
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert _login(client, operator.username, OPERATOR_PASSWORD) == 302


@override_settings(KEYPORT_TRUSTED_PROXIES=1)
def test_behind_the_proxy_the_forwarded_client_is_locked_out(operator):
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(5):
        _login(attacker, operator.username, "wrong-password")
    assert _login(attacker, operator.username, OPERATOR_PASSWORD) == 429
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert _login(colleague, operator.username, OPERATOR_PASSWORD) == 302


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@override_settings(ADMIN_REQUIRE_2FA=True)
def test_two_factor_required_enrol_then_verify(operator):
    client = Client()
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        assert _login(client, operator.username, OPERATOR_PASSWORD) == 302
        index = client.get(INDEX_URL, follow=True)
        assert index.redirect_chain[-1][0].startswith(TWO_FACTOR_URL)
        assert "qr-code" in index.content.decode()
        assert client.get(reverse("admin:apps_registry_application_changelist")).status_code == 302
        device = TOTPDevice.objects.get(user=operator)
        wrong = client.post(TWO_FACTOR_URL, {"token": "000000"})
        assert WRONG_CODE_MESSAGE in wrong.content.decode()
        traveller.shift(dt.timedelta(seconds=5))  # django-otp throttles after a wrong code
        enrolled = client.post(TWO_FACTOR_URL, {"token": _code(device), "next": INDEX_URL})
        assert enrolled.status_code == 302
        assert client.get(INDEX_URL).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enrol").count() == 1

    later = Client()
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        assert _login(later, operator.username, OPERATOR_PASSWORD) == 302
        page = later.get(INDEX_URL, follow=True)
        assert "qr-code" not in page.content.decode()  # no new QR code once enrolled
        device.refresh_from_db()
        later.post(TWO_FACTOR_URL, {"token": _code(device)})
        assert later.get(INDEX_URL).status_code == 200


@override_settings(ADMIN_REQUIRE_2FA=False)
def test_password_is_enough_when_two_factor_is_off(operator):
    client = Client()
    assert _login(client, operator.username, OPERATOR_PASSWORD) == 302
    assert client.get(INDEX_URL).status_code == 200


def test_recovery_command_removes_devices_and_audits(operator):
    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    out = io.StringIO()
    call_command("two_factor_reset", operator.username, stdout=out)
    assert "Removed 1 device(s)" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=operator).exists()
    assert AuditEvent.objects.get(action="two_factor_reset").actor_label.startswith("cli:")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
    ],
)
def test_security_headers(client, header, expected):
    assert client.get(LOGIN_URL)[header] == expected


def test_content_security_policy_forbids_inline_and_foreign_scripts(client):
    policy = client.get(LOGIN_URL)["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
