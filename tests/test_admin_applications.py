"""The application admin: add form, show-once page, key actions, scoping, list queries."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps_registry import crypto, services
from apps_registry.admin.application_parts import DUPLICATE_REDIRECT_MESSAGE
from apps_registry.forms import RECORD_NEEDS_ID_AND_SECRET, SCOPES_REQUIRED
from apps_registry.models import ApiKey, Application, AuditEvent
from apps_registry.validators import URL_SCHEME
from tests.factories import make_application, make_key, make_user

ADD_URL = reverse("admin:apps_registry_application_add")
LIST_URL = reverse("admin:apps_registry_application_changelist")


def redirect_management(prefix: str, total: int) -> dict[str, str]:
    """The management form of one redirect-URL list (post-login or post-logout)."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _form_data(organization, scopes, **overrides):
    data = {
        "organization": organization.pk,
        "name": "Spa booking",
        "uri": "https://booking.example.com",
        "description": "Online booking",
        "login_user_type": "guest",
        "source_app": "external_webstore",
        "auth_method": "api_key",
        "scopes": [s.pk for s in scopes],
        "contact_emails": "dev@example.com\nops@example.com",
        "is_active": "on",
        "credential_mode": "generate",
        **redirect_management("post_login_urls", 2),
        **redirect_management("post_logout_urls", 1),
        "post_login_urls-0-url": "https://booking.example.com/in",
        "post_logout_urls-0-url": "https://booking.example.com/out",
    }
    return data | overrides


def _shown_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="shown-([a-z-]+)">([^<]+)</code>', html))


def test_add_shows_id_and_secret_exactly_once(operator_client: Client, organization, scopes):
    response = operator_client.post(ADD_URL, _form_data(organization, scopes), follow=True)
    assert response.status_code == 200
    application = Application.objects.get(name="Spa booking")
    shown = _shown_values(response.content.decode())
    assert shown["secret"] == application.secret
    assert shown["application-id"] == application.application_id
    assert "will not be shown again" in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response.headers["Cache-Control"]
    assert [r.url for r in application.redirect_urls.all()] == [
        "https://booking.example.com/in",
        "https://booking.example.com/out",
    ]
    assert application.contact_emails == ["dev@example.com", "ops@example.com"]

    again = operator_client.get(response.redirect_chain[-1][0])
    assert application.secret not in again.content.decode()
    assert "already shown once" in again.content.decode()
    for url in (reverse("admin:apps_registry_application_change", args=[application.pk]), LIST_URL):
        assert application.secret not in operator_client.get(url).content.decode()


def test_session_never_holds_the_secret_in_plaintext(operator_client, organization, scopes):
    operator_client.post(ADD_URL, _form_data(organization, scopes))
    application = Application.objects.get(name="Spa booking")
    stored = operator_client.session["keyport_show_once"]
    assert application.secret not in str(stored)
    assert application.secret in crypto.decrypt(stored["token"])


def test_bad_input_gets_clear_messages_and_saves_nothing(operator_client, organization, scopes):
    data = _form_data(organization, scopes, **{"post_login_urls-0-url": "http://b.example.com/in"})
    del data["scopes"]
    response = operator_client.post(ADD_URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert SCOPES_REQUIRED in html
    assert URL_SCHEME.replace("'", "&#x27;") in html
    assert not Application.objects.exists()


def test_duplicate_redirect_urls_are_refused(operator_client, organization, scopes):
    data = _form_data(
        organization,
        scopes,
        **{
            "post_login_urls-1-url": "https://booking.example.com/in",
        },
    )
    response = operator_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert DUPLICATE_REDIRECT_MESSAGE.format(url="https://booking.example.com/in") in (
        response.content.decode()
    )
    assert not Application.objects.exists()


def test_recording_needs_pasted_id_and_secret(operator_client, organization, scopes):
    response = operator_client.post(
        ADD_URL, _form_data(organization, scopes, credential_mode="record")
    )
    assert RECORD_NEEDS_ID_AND_SECRET in response.content.decode()
    assert not Application.objects.exists()


def test_recorded_app_keeps_pasted_values_and_never_renders_them(
    operator_client, organization, scopes
):
    data = _form_data(
        organization,
        scopes,
        credential_mode="record",
        recorded_application_id="zen-app-77",
        recorded_secret="pasted-secret-value-123",
        recorded_api_key="pasted-api-key-value-456",
        recorded_api_key_expires_on="2099-01-31",
        zenoti_account_name="serenityspa",
    )
    response = operator_client.post(ADD_URL, data, follow=True)
    html = response.content.decode()
    application = Application.objects.get(application_id="zen-app-77")
    assert application.secret == "pasted-secret-value-123"
    assert application.api_keys.get().key == "pasted-api-key-value-456"
    assert "pasted-secret-value-123" not in html and "pasted-api-key-value-456" not in html


def test_generate_rotate_revoke_through_the_admin(operator_client, organization, scopes, actor):
    application = make_application(organization, scopes=scopes, actor=actor)
    generate = reverse("admin:apps_registry_application_key_generate", args=[application.pk])
    assert "shown once" in operator_client.get(generate).content.decode()
    shown = _shown_values(operator_client.post(generate, follow=True).content.decode())
    key = ApiKey.objects.get(application=application)
    assert services.api_key_verify(shown["api-key"]).key_id == key.pk

    change = operator_client.get(
        reverse("admin:apps_registry_application_change", args=[application.pk])
    ).content.decode()
    assert key.prefix in change and shown["api-key"] not in change and "Rotate" in change

    rotate = reverse("admin:apps_registry_application_key_rotate", args=[application.pk, key.pk])
    rotated = _shown_values(operator_client.post(rotate, follow=True).content.decode())
    rotated_id = services.api_key_verify(rotated["api-key"]).key_id
    assert ApiKey.objects.get(pk=rotated_id).replaces == key

    revoke = reverse("admin:apps_registry_application_key_revoke", args=[application.pk, key.pk])
    assert "cannot be undone" in operator_client.get(revoke).content.decode()
    operator_client.post(revoke)
    assert services.api_key_verify(shown["api-key"]).code == "REVOKED"
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["api_key_generate", "api_key_rotate", "api_key_revoke"]


def test_view_only_user_sees_no_secret_and_cannot_generate(organization, scopes, actor, viewer):
    application = make_application(organization, scopes=scopes, actor=actor)
    make_key(application, actor=actor)
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("admin:apps_registry_application_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert application.secret not in html
    assert ApiKey.objects.get().key not in html
    assert "Generate API key" not in html
    generate = reverse("admin:apps_registry_application_key_generate", args=[application.pk])
    assert client.post(generate).status_code == 403


def test_other_organizations_apps_are_404(
    operator_client, organization, other_organization, scopes, actor
):
    theirs = make_application(other_organization, name="Their app", scopes=scopes, actor=actor)
    for name, args in [
        ("change", [theirs.pk]),
        ("credentials", [theirs.pk]),
        ("key_generate", [theirs.pk]),
        ("delete", [theirs.pk]),
        ("history", [theirs.pk]),
    ]:
        url = reverse(f"admin:apps_registry_application_{name}", args=args)
        assert operator_client.get(url).status_code == 404, name
    listing = operator_client.get(LIST_URL).content.decode()
    assert "Their app" not in listing
    form = operator_client.get(ADD_URL).content.decode()
    assert other_organization.name not in form


def test_cannot_register_into_another_organization(
    operator_client, organization, other_organization, scopes
):
    response = operator_client.post(ADD_URL, _form_data(other_organization, scopes))
    assert "Select a valid choice" in response.content.decode()
    assert not Application.objects.exists()


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL).status_code == 200
    return len(queries)


@pytest.mark.parametrize("extra", [10, 200])
def test_list_page_query_count_does_not_grow(operator_client, organization, scopes, actor, extra):
    baseline_apps = [
        make_application(organization, name=f"Base {i}", scopes=scopes, actor=actor)
        for i in range(3)
    ]
    for application in baseline_apps:
        make_key(application, actor=actor)
    baseline = _list_queries(operator_client)
    for i in range(extra):
        application = make_application(organization, name=f"App {i}", scopes=scopes, actor=actor)
        make_key(application, actor=actor)
    assert _list_queries(operator_client) == baseline


def test_list_filter_keys_expiring_within_30_days(operator_client, organization, scopes, actor):
    soon = make_application(organization, name="Soon", scopes=scopes, actor=actor)
    later = make_application(organization, name="Later", scopes=scopes, actor=actor)
    make_key(later, actor=actor)
    organization.api_key_lifetime_days = 10
    organization.save()
    soon.organization.refresh_from_db()
    make_key(soon, actor=actor)
    html = operator_client.get(LIST_URL + "?expiry=30d").content.decode()
    assert ">Soon<" in html and ">Later<" not in html
    assert "days left" in html


def test_audit_log_is_read_only_for_everyone(admin_client, organization, scopes, actor):
    make_application(organization, scopes=scopes, actor=actor)
    event = AuditEvent.objects.get()
    change = reverse("admin:apps_registry_auditevent_change", args=[event.pk])
    response = admin_client.post(change, {"action": "tampered"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:apps_registry_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get().action == "application_create"


def test_member_of_no_organization_sees_no_apps(organization, scopes, actor):
    make_application(organization, scopes=scopes, actor=actor)
    loner = make_user("lonely", permissions=["view_application"], organizations=[])
    client = Client()
    client.force_login(loner)
    assert "Widget" not in client.get(LIST_URL).content.decode()


def test_editing_replaces_redirect_urls_and_scopes_and_audits(
    operator_client, organization, scopes, actor
):
    application = make_application(organization, scopes=scopes, actor=actor)
    change = reverse("admin:apps_registry_application_change", args=[application.pk])
    data = _form_data(organization, scopes[:1], name="Widget 2")
    data.pop("credential_mode")
    data |= {"api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0"}
    response = operator_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.name == "Widget 2"
    assert list(application.scopes.all()) == scopes[:1]
    assert application.redirect_urls.count() == 2
    event = AuditEvent.objects.filter(action="application_update").get()
    assert {"name", "scopes", "redirect_urls"} <= set(event.details["changed"])
    assert application.secret not in json.dumps(event.details)


def test_operator_cannot_change_organization_members(operator_client, organization):
    page = operator_client.get(
        reverse("admin:apps_registry_organization_change", args=[organization.pk])
    ).content.decode()
    assert 'name="members"' not in page
