"""Every exported ``.env`` file reads back exactly with bash, dash, django-environ,
python-dotenv and docker compose's rules, or the export is refused naming item and field."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from apps_registry import roles, services
from apps_registry.export.applications import application_item
from apps_registry.export.dotenv import (
    ENV_VALUE_REFUSED,
    REASON_CONTROL,
    REASON_LEADING_DOLLAR,
    EnvValueError,
)
from apps_registry.export.formats import render_env
from apps_registry.models import Application, AuditEvent
from apps_registry.plugins import ExportItem
from apps_registry.validators import CONTROL_CHARACTERS
from tests.conftest import OPERATOR_PASSWORD
from tests.factories import make_application, make_user
from tests.support_dotenv_readers import read_all

EXPORT_URL = reverse("credentials_export")
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
# Every character some reader treats specially; line breaks (django-environ splits on all of
# these) and other controls are always refused, so they come up rarely.
SPECIALS = list("'\"\\$`{}#= :-")
CONTROLS = [
    "\n",
    "\r",
    "\t",
    "\v",
    "\f",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
    "\x00",
]
PRINTABLE = st.characters(codec="utf-8", exclude_categories=["Cc", "Zl", "Zp"])
VALUES = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPECIALS), PRINTABLE, PRINTABLE, st.sampled_from(CONTROLS) | PRINTABLE
    ),
    max_size=12,
)


def _item(values: list[str], name: str = "Spa booking") -> ExportItem:
    env = [(f"KEYPORT_VALUE_{number}", value) for number, value in enumerate(values)]
    return ExportItem(kind="app", pk=7, name=name, organization="Serenity", env=env, data={})


def _read_back(text: str) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exported.env"
        path.write_text(text, encoding="utf-8")
        return read_all(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(VALUES, min_size=1, max_size=4), name=VALUES)
def test_property_every_reader_reads_back_the_stored_values_or_it_is_refused(values, name):
    item = _item(values, name=name)
    try:
        text = render_env(item, exported_at=NOW, actor_label="erin")
    except EnvValueError as refused:
        assert "Application “" in str(refused) and "KEYPORT_VALUE_" in str(refused)
        event("refused")
        return
    event("read back by all five readers")
    expected = dict(item.env)
    for reader, read in _read_back(text).items():
        assert read == expected, reader


@settings(max_examples=30, deadline=None)
@given(
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=["Cc", "Zl", "Zp"], exclude_characters="'\\$\"`"
        ),
        max_size=16,
    )
)
def test_property_values_without_quotes_backslashes_or_dollars_are_never_refused(value):
    render_env(_item([value]), exported_at=NOW, actor_label="erin")


@settings(max_examples=30, deadline=None)
@given(before=VALUES, control=st.sampled_from(CONTROLS), after=VALUES)
def test_property_a_line_break_or_control_character_is_always_refused(before, control, after):
    with pytest.raises(EnvValueError):
        render_env(_item([before + control + after]), exported_at=NOW, actor_label="erin")


@pytest.mark.parametrize(
    "value",
    [
        "has a `backtick` and a $dollar",
        "it's $HOME",  # a single quote with a $: neither quoting carries it
        "C:\\path\\to\\file",
        "back\\\\slashes",
        '"wrapped in double quotes"',
        "${HOME}",
        "trailing\\",
    ],
)
def test_the_values_the_issue_named_read_back_exactly_or_are_refused(value):
    item = _item([value])
    try:
        text = render_env(item, exported_at=NOW, actor_label="erin")
    except EnvValueError:
        assert ("'" in value and "$" in value) or "${" in value or value.endswith("\\")
        return
    for reader, read in _read_back(text).items():
        assert read == {"KEYPORT_VALUE_0": value}, reader


def test_a_backtick_and_a_dollar_read_back_exactly_everywhere():
    text = render_env(_item(["a`b$c"]), exported_at=NOW, actor_label="erin")
    assert all(read == {"KEYPORT_VALUE_0": "a`b$c"} for read in _read_back(text).values())


@pytest.fixture
def exporter_client(organization):
    client = Client()
    client.force_login(
        make_user("erin", role=roles.CREDENTIAL_EXPORTER, organizations=[organization])
    )
    return client


def _app(organization, scopes, actor, **fields) -> Application:
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    if fields:  # a row stored before the validators existed
        Application.objects.filter(pk=application.pk).update(**fields)
    return Application.objects.get(pk=application.pk)


def test_a_line_separator_in_a_stored_name_refuses_the_export_naming_item_and_field(
    exporter_client, organization, scopes, actor
):
    hostile = "x\u2028DATABASE_URL=postgres://attacker/db"
    application = _app(organization, scopes, actor, name=hostile)
    response = exporter_client.post(
        EXPORT_URL, {"app": [application.pk], "format": "env", "password": OPERATOR_PASSWORD}
    )
    assert response.status_code == 400
    assert "attachment" not in response.get("Content-Disposition", "")
    expected = ENV_VALUE_REFUSED.format(
        item="Application “x?DATABASE_URL=postgres://attacker/db”",
        field=application_item(application).env[0][0],  # the app-name variable
        reason=REASON_CONTROL,
    )
    assert expected in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()
    denied = AuditEvent.objects.get(action="export_denied")
    assert denied.details["reason"] == "unexportable_value"
    assert denied.organization == organization


def test_a_recorded_secret_starting_with_a_dollar_is_refused_for_django_environ(
    organization, scopes, actor
):
    application = services.application_record(
        organization=organization,
        name="Zenoti app",
        uri="https://booking.example.com",
        login_user_type="guest",
        source_app="external_webstore",
        scopes=scopes,
        application_id="zen-app-1",
        secret="$DJANGO_SECRET_KEY",
        zenoti_account_name="serenityspa",
        actor=actor,
    )
    with pytest.raises(EnvValueError) as refused:
        render_env(application_item(application), exported_at=NOW, actor_label="erin")
    assert str(refused.value) == ENV_VALUE_REFUSED.format(
        item="Application “Zenoti app”",
        field="ZENOTI_APPLICATION_SECRET",  # a recorded app is Zenoti-issued
        reason=REASON_LEADING_DOLLAR,
    )


ADD_URL = reverse("admin:apps_registry_application_add")


@pytest.mark.parametrize("field", ["name", "description"])
@pytest.mark.parametrize("breaker", ["\n", "\r", "\u2028", "\x1e", "\x85", "\x1b[2J", "\t"])
def test_names_and_descriptions_refuse_line_breaks_and_control_characters(
    operator_client, organization, scopes, field, breaker
):
    from tests.test_admin_applications import _form_data

    data = _form_data(organization, scopes, **{field: f"x{breaker}DATABASE_URL=postgres://a/b"})
    response = operator_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert CONTROL_CHARACTERS in response.context["adminform"].form.errors[field]
    assert not Application.objects.exists()


def test_recorded_values_refuse_control_characters(operator_client, organization, scopes):
    from tests.test_admin_applications import _form_data

    data = _form_data(
        organization,
        scopes,
        credential_mode="record",
        recorded_application_id="zen\u2029id",
        recorded_secret="secret\x1bvalue",
    )
    response = operator_client.post(ADD_URL, data)
    errors = response.context["adminform"].form.errors
    assert errors["recorded_application_id"] == [CONTROL_CHARACTERS]
    assert errors["recorded_secret"] == [CONTROL_CHARACTERS]
    assert not Application.objects.exists()


def test_connection_names_refuse_control_characters(organization, actor):
    from django.core.exceptions import ValidationError

    from connections.services import mindbody_connection_create

    with pytest.raises(ValidationError) as raised:
        mindbody_connection_create(
            organization=organization,
            name="Studio\u2028MINDBODY_API_KEY=x",
            site_id=-99,
            api_key="abc123",
            actor=actor,
        )
    assert raised.value.message_dict["name"] == [CONTROL_CHARACTERS]
