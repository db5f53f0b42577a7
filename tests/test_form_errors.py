"""Errors on the right field, naming the value: duplicate names on Name, every bad address and
lead time named, and after a failed record form a note that pasted secrets must be pasted
again (they are never echoed back)."""

from __future__ import annotations

from html import unescape

from django.urls import reverse

from apps_registry.forms import PASTE_AGAIN_MESSAGE
from apps_registry.models.applications import DUPLICATE_NAME_MESSAGE
from apps_registry.validators import EMAILS_INVALID
from tests.factories import make_application
from tests.test_admin_applications import ADD_URL, _form_data


def _errors(response, field: str) -> list[str]:
    form = response.context["adminform"].form
    return [unescape(str(message)) for message in form.errors.get(field, [])]


def test_a_duplicate_name_is_reported_on_the_name_field(operator_client, organization, scopes):
    make_application(organization, name="Spa booking", scopes=scopes)
    response = operator_client.post(ADD_URL, _form_data(organization, scopes))
    assert response.status_code == 200
    assert _errors(response, "name") == [DUPLICATE_NAME_MESSAGE]
    assert "Constraint" not in response.content.decode()


def test_every_bad_contact_address_is_named(operator_client, organization, scopes):
    data = _form_data(organization, scopes, contact_emails="ok@x.test\nnope\nalso@bad")
    response = operator_client.post(ADD_URL, data)
    assert _errors(response, "contact_emails") == [
        EMAILS_INVALID.format(emails="“nope”, “also@bad”")
    ]


def test_a_failed_record_form_asks_to_paste_the_secrets_again(
    operator_client, organization, scopes
):
    data = _form_data(
        organization,
        scopes,
        name="",
        credential_mode="record",
        recorded_application_id="zen-123",
        recorded_secret="pasted-secret-Qx81Zm",
        recorded_api_key="a" * 64,
        recorded_api_key_expires_on="2027-06-01",
        zenoti_account_name="serenityspa",
    )
    response = operator_client.post(ADD_URL, data)
    page = unescape(response.content.decode())
    assert PASTE_AGAIN_MESSAGE in page
    assert "pasted-secret-Qx81Zm" not in page and "a" * 64 not in page
    assert 'data-reveal="1"' in page  # the show/hide toggle's hook on both pasted inputs


def test_no_paste_again_note_when_generating(operator_client, organization, scopes):
    response = operator_client.post(ADD_URL, _form_data(organization, scopes, name=""))
    assert PASTE_AGAIN_MESSAGE not in unescape(response.content.decode())


def test_organization_has_no_related_object_icons(operator_client):
    page = operator_client.get(reverse("admin:apps_registry_application_add")).content.decode()
    assert 'id="add_id_organization"' not in page and 'id="change_id_organization"' not in page


def test_a_duplicate_connection_name_is_reported_on_the_name_field(
    operator_client, organization, sandbox_connection
):
    from connections.models import DUPLICATE_NAME_MESSAGE as CONNECTION_DUPLICATE
    from tests.support_mindbody import API_KEY

    response = operator_client.post(
        reverse("admin:connections_mindbodysiteconnection_add"),
        {"organization": organization.pk, "name": "Sandbox", "site_id": "-99", "api_key": API_KEY},
    )
    assert response.status_code == 200
    assert _errors(response, "name") == [CONNECTION_DUPLICATE]
