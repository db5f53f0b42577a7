"""Crafted input gets a 400 or a form error and changes nothing; it never reaches a 500.

The property tests post random values to every add and change form of Keyport's admins and
to the export view, with the fields each page really renders (read from its HTML).
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps_registry import services
from apps_registry.admin.application_parts import KEY_LIST_CHANGED
from apps_registry.models import ApiKey, Application, Organization
from apps_registry.models.organizations import KEY_LIFETIME_RANGE, ROTATION_GRACE_RANGE
from connections.models import MindbodySiteConnection
from tests.factories import make_application
from tests.test_admin_applications import _form_data

_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
SKIPPED_FIELDS = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "action"}
ODD_VALUES = [
    "99999999999999999999",
    "-1",
    "0",
    "999999999",
    "",
    "on",
    "\x00",
    "x\u2028DATABASE_URL=postgres://attacker/db",
    "\x1b[2J",
    "2026-13-45",
    "https://\uff47\uff4f\uff4f\uff47\uff4c\uff45.com:0/",
    "' OR 1=1 --",
    "\U0001d542\U0001d556\U0001d56a",
]
VALUES = st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=40), st.integers().map(str))


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-1234-5678"))
    return client


@pytest.fixture
def seeded(organization, scopes, actor):
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    services.api_key_generate(application=application, actor=actor)
    connection = MindbodySiteConnection.objects.create(
        organization=organization, name="Studio", site_id=-99, api_key="abc123"
    )
    return {"application": application, "connection": connection}


def _org_settings(organization, **overrides):
    data = {
        "api_key_lifetime_days": 365,
        "rotation_grace_days": 7,
        "expiry_alert_days": "30, 7, 1",
        "alert_recipients": "ops@serenity.test",
        "alerts_enabled": "on",
        "name": organization.name,
        "slug": organization.slug,
    }
    return data | overrides


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("api_key_lifetime_days", "999999999", KEY_LIFETIME_RANGE),
        ("api_key_lifetime_days", "0", KEY_LIFETIME_RANGE),
        ("rotation_grace_days", "100000", ROTATION_GRACE_RANGE),
    ],
)
def test_key_lifetime_and_grace_are_bounded_with_a_form_error(
    superuser_client, organization, field, value, message
):
    url = reverse("admin:apps_registry_organization_change", args=[organization.pk])
    response = superuser_client.post(url, _org_settings(organization, **{field: value}))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    organization.refresh_from_db()
    assert (organization.api_key_lifetime_days, organization.rotation_grace_days) == (365, 7)


def test_a_huge_lifetime_stored_earlier_is_refused_by_the_model(organization):
    organization.api_key_lifetime_days = 999_999_999
    with pytest.raises(ValidationError) as raised:
        organization.full_clean()
    assert raised.value.message_dict["api_key_lifetime_days"] == [KEY_LIFETIME_RANGE]


def _inputs(html: str) -> dict[str, str]:
    """Every input's name and value as the page rendered them (hidden ones included)."""
    found: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'\sname="([^"]+)"', tag)
        value = re.search(r'\svalue="([^"]*)"', tag)
        if name and name.group(1).startswith("api_keys-"):
            found[name.group(1)] = value.group(1) if value else ""
    return found


def test_crafted_key_rows_get_a_form_error_and_change_nothing(
    operator_client, organization, other_organization, scopes, actor, seeded
):
    application = seeded["application"]
    theirs = make_application(other_organization, name="Rival app", scopes=scopes, actor=actor)
    their_key, _ = services.api_key_generate(application=theirs, actor=actor)
    url = reverse("admin:apps_registry_application_change", args=[application.pk])
    form = _form_data(organization, scopes, name="Renamed")
    form.pop("credential_mode")
    mine = application.api_keys.get()
    crafted_rows = [
        {
            "api_keys-TOTAL_FORMS": "1",
            "api_keys-INITIAL_FORMS": "1",
            "api_keys-0-id": str(their_key.pk),
        },
        {"api_keys-TOTAL_FORMS": "3", "api_keys-INITIAL_FORMS": "5"},
        {"api_keys-TOTAL_FORMS": "1", "api_keys-INITIAL_FORMS": "1", "api_keys-0-id": "abc"},
        {
            "api_keys-TOTAL_FORMS": "1",
            "api_keys-INITIAL_FORMS": "1",
            "api_keys-0-id": str(mine.pk),
            "api_keys-0-DELETE": "on",
        },
    ]
    for rows in crafted_rows:
        response = operator_client.post(url, form | rows)
        assert response.status_code == 200, rows
        assert KEY_LIST_CHANGED in response.content.decode()
    application.refresh_from_db()
    assert application.name == "Spa booking"
    assert ApiKey.objects.get(pk=their_key.pk).application_id == theirs.pk
    assert ApiKey.objects.filter(pk=mine.pk).exists()


def test_the_rows_the_page_renders_save_normally(operator_client, organization, scopes, seeded):
    application = seeded["application"]
    url = reverse("admin:apps_registry_application_change", args=[application.pk])
    rendered = _inputs(operator_client.get(url).content.decode())
    assert rendered["api_keys-TOTAL_FORMS"] == "1"
    form = _form_data(organization, scopes, name="Renamed")
    form.pop("credential_mode")
    assert operator_client.post(url, form | rendered).status_code == 302
    application.refresh_from_db()
    assert application.name == "Renamed"


def _keyport_form_urls(seeded) -> list[str]:
    urls = []
    for model in admin.site._registry:
        label = model._meta.app_label
        if label not in {"apps_registry", "connections"} and model is not User:
            continue
        info = (label, model._meta.model_name)
        if model is not MindbodySiteConnection:  # adding one calls Mindbody
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = {
            Application: seeded["application"],
            MindbodySiteConnection: seeded["connection"],
        }.get(model) or model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return urls


@pytest.fixture
def form_fields(superuser_client, seeded) -> dict[str, list[str]]:
    pages = {}
    for url in _keyport_form_urls(seeded):
        html = superuser_client.get(url).content.decode()
        pages[url] = sorted(set(_FIELD.findall(html)) - SKIPPED_FIELDS)
    assert len(pages) >= 10
    return pages


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_property_no_admin_form_answers_5xx_to_random_values(superuser_client, form_fields, data):
    url = data.draw(st.sampled_from(sorted(form_fields)))
    fields = form_fields[url]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True)) if fields else []
    values = {name: data.draw(VALUES) for name in chosen}
    response = superuser_client.post(url, values)
    assert response.status_code < 500, (url, values)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(["app", "site", "format", "password", "x"]),
        st.lists(VALUES, max_size=3),
        max_size=4,
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_property_the_export_view_never_answers_5xx(superuser_client, seeded, params, method):
    response = getattr(superuser_client, method)(reverse("credentials_export"), params)
    assert response.status_code < 500, params
    assert Organization.objects.exists()
