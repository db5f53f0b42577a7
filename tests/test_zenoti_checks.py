"""Checking Zenoti-issued keys: the command, the once-per-incident email, the pass's bounds."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.dashboard import organization_rows
from apps_registry.management.commands.verify_zenoti_keys import (
    FAILED_MESSAGE,
    NOT_ZENOTI_APP_MESSAGE,
    UNKNOWN_APP_MESSAGE,
)
from apps_registry.models import AuditEvent
from apps_registry.services.zenoti_checks import NOT_ZENOTI_KEY_MESSAGE
from tests.factories import make_application, make_key, make_zenoti_application
from tests.fake_zenoti import LOWER_ERROR, UNKNOWN_KEY_MESSAGE, UPPER_ERROR
from tests.support_zenoti import only_key, zenoti_key


@pytest.fixture
def three_apps(organization, actor, fake_zenoti):
    """A key Zenoti accepts, one it turned off (error with HTTP 200), one it never knew."""
    keys = {name: zenoti_key() for name in ("good", "off", "gone")}
    fake_zenoti.add_key(keys["good"])
    fake_zenoti.add_key(keys["off"])
    fake_zenoti.turn_off(keys["off"], shape="upper")
    apps = {
        name: make_zenoti_application(organization, actor=actor, name=f"App {name}", api_key=raw)
        for name, raw in keys.items()
    }
    fake_zenoti.requests.clear()
    return apps, keys


def _run(*args: str) -> tuple[str, str | None]:
    out = io.StringIO()
    try:
        call_command("verify_zenoti_keys", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_command_prints_one_line_per_key_and_fails_when_any_key_failed(three_apps) -> None:
    apps, keys = three_apps
    output, error = _run()
    lines = output.splitlines()
    assert len(lines) == 4
    gone, good, off = lines[:3]
    assert good.startswith(f"App good / {only_key(apps['good']).prefix}: Accepted by Zenoti.")
    assert gone.startswith("App gone /") and UNKNOWN_KEY_MESSAGE in gone
    assert off.startswith("App off /") and UPPER_ERROR["Message"] in off
    assert lines[3].startswith("Checked 3 key(s); 2 failed")
    assert error == FAILED_MESSAGE.format(count=2)
    assert not any(raw in output for raw in keys.values())
    assert (
        AuditEvent.objects.filter(action="zenoti_key_check", actor_label__startswith="cli:").count()
        == 3
    )


def test_command_checks_only_the_named_apps_and_exits_zero_when_they_pass(
    three_apps, fake_zenoti
) -> None:
    apps, keys = three_apps
    output, error = _run("--app", apps["good"].application_id)
    assert error is None
    assert output.splitlines()[-1].startswith("Checked 1 key(s); 0 failed")
    assert len(fake_zenoti.requests) == 1 and fake_zenoti.requests_for(keys["good"])


def test_command_refuses_unknown_and_keyport_issued_apps(three_apps, organization) -> None:
    assert _run("--app", "no-such-app")[1] == UNKNOWN_APP_MESSAGE.format(value="no-such-app")
    own = make_application(organization, name="Own app")
    assert _run("--app", own.application_id)[1] == NOT_ZENOTI_APP_MESSAGE.format(
        value=own.application_id
    )


def _pass(capture) -> None:
    """One daily pass; its emails go out once its writes are committed."""
    with capture(execute=True):
        services.zenoti_keys_check_all(actor=Actor.system())


def test_first_refusal_after_a_pass_emails_once_per_incident(
    organization, actor, fake_zenoti, smtp_server, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    application = make_zenoti_application(organization, actor=actor, api_key=raw)
    key = only_key(application)
    assert key.zenoti_result == "passed"

    fake_zenoti.turn_off(raw, shape="lower")
    for _ in range(3):  # three daily passes: one email
        _pass(capture)
    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["ops@serenity.test"]
    assert (
        key.prefix in mail.message["Subject"]
        and "Zenoti stopped accepting" in mail.message["Subject"]
    )
    assert LOWER_ERROR["message"] in mail.text
    assert f"/keys/{key.pk}/record-replacement/" in mail.text
    assert "Configuration → Apps → Credentials → Rotate" in mail.text
    assert raw not in mail.text + mail.html

    fake_zenoti.add_key(raw)  # Zenoti accepts it again: the incident is over
    _pass(capture)
    fake_zenoti.remove_key(raw)
    _pass(capture)
    second = smtp_server.wait_for(2)[1]
    assert UNKNOWN_KEY_MESSAGE in second.text
    _pass(capture)
    assert len(smtp_server.received) == 2


def test_a_key_that_never_passed_sends_no_email(
    organization, actor, fake_zenoti, smtp_server, django_capture_on_commit_callbacks
):
    make_zenoti_application(organization, actor=actor, api_key=zenoti_key())  # unknown to Zenoti
    _pass(django_capture_on_commit_callbacks)
    assert smtp_server.received == []


def test_unreachable_zenoti_neither_emails_nor_ends_the_incident(
    organization, actor, fake_zenoti, smtp_server, settings, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    raw = zenoti_key()
    fake_zenoti.add_key(raw)
    application = make_zenoti_application(organization, actor=actor, api_key=raw)
    fake_zenoti.remove_key(raw)
    _pass(capture)
    smtp_server.wait_for(1)
    settings.ZENOTI_API_BASE_URL = "http://127.0.0.1:9"
    _pass(capture)
    key = only_key(application)
    assert key.zenoti_result == "unreachable" and "could not reach Zenoti" in key.zenoti_message
    settings.ZENOTI_API_BASE_URL = fake_zenoti.url
    _pass(capture)
    assert len(smtp_server.received) == 1


def test_a_pass_keeps_its_calls_in_flight_and_per_minute_bounded(
    organization, actor, fake_zenoti, settings
) -> None:
    settings.ZENOTI_MAX_CONCURRENCY = 3
    for number in range(8):
        raw = zenoti_key()
        fake_zenoti.add_key(raw)
        make_zenoti_application(
            organization,
            actor=actor,
            name=f"Spa {number}",
            api_key=raw,
            account=f"acct{number % 2}",
        )
    fake_zenoti.requests.clear()
    fake_zenoti.max_in_flight = 0
    fake_zenoti.latency = 0.2
    report = services.zenoti_keys_check_all(actor=Actor.system())
    assert len(report.checks) == 8 and not report.failures
    assert 1 < report.peak_in_flight <= 3 and fake_zenoti.max_in_flight <= 3

    settings.ZENOTI_CALLS_PER_MINUTE = 600  # one call start per 0.1 s per Zenoti organization
    fake_zenoti.requests.clear()
    fake_zenoti.latency = 0.0
    services.zenoti_keys_check_all(actor=Actor.system())
    starts = [r.at for r in fake_zenoti.requests]
    assert len(starts) == 8
    # Two organizations, one call start per 0.1 s each: any five calls include three of one
    # organization (0.2 s apart at least), and the pass spans an organization's four calls
    # (0.3 s). The times are arrivals at the fake server, so allow 0.1 s of thread jitter;
    # without the limit all eight would arrive within a few milliseconds.
    assert all(later - earlier >= 0.1 for earlier, later in zip(starts, starts[4:], strict=False))
    assert starts[-1] - starts[0] >= 0.2


def test_the_dashboard_counts_keys_zenoti_refuses(three_apps, operator, operator_client) -> None:
    services.zenoti_keys_check_all(actor=Actor.system())
    labels, rows = organization_rows(operator, timezone.now())
    column = labels.index("Keys Zenoti refuses")
    cell = rows[0].values[column]
    assert cell.value == 2
    listed = operator_client.get(cell.url).context["cl"].result_list
    assert sorted(key.application.name for key in listed) == ["App gone", "App off"]


def test_keys_keyport_issued_are_never_sent_to_zenoti(organization, actor, fake_zenoti) -> None:
    own_key = make_key(
        make_application(organization, name="Own app"),
        expires_at=timezone.now() + dt.timedelta(days=9),
    )
    with pytest.raises(services.KeyStateError, match=NOT_ZENOTI_KEY_MESSAGE):
        services.zenoti_key_check(api_key=own_key, actor=actor)
    assert services.zenoti_keys_check_all(actor=actor).checks == []
    assert fake_zenoti.requests == []
