"""Update services take their audit diff from the model (apps_registry.updates),
whatever the caller passes or has already changed in memory."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps_registry import services
from apps_registry.models import Application, AuditEvent
from apps_registry.updates import UNKNOWN_FIELD_MESSAGE, model_update
from tests.factories import make_application

pytestmark = pytest.mark.django_db


def _last_changed(action: str = "application_update") -> list[str]:
    return AuditEvent.objects.filter(action=action).latest("pk").details["changed"]


def test_the_service_audits_what_changed_when_the_caller_says_nothing(
    organization, scopes, actor
) -> None:
    application = make_application(organization, name="Front desk")
    changed = services.application_update(
        application=application,
        actor=actor,
        data={"name": "Front desk 2", "uri": application.uri, "is_active": True},
    )
    assert changed == ["name"] and _last_changed() == ["name"]
    assert Application.objects.get(pk=application.pk).name == "Front desk 2"


def test_in_memory_edits_outside_data_are_neither_saved_nor_audited(
    organization, scopes, actor
) -> None:
    application = make_application(organization, name="Front desk")
    application.name = "Renamed behind the service's back"
    services.application_update(application=application, actor=actor, data={})
    assert _last_changed() == []
    assert Application.objects.get(pk=application.pk).name == "Front desk"
    assert application.name == "Front desk"


def test_scopes_and_redirect_urls_count_only_when_they_differ(organization, scopes, actor) -> None:
    application = make_application(organization, name="Front desk")
    services.application_update(
        application=application,
        actor=actor,
        data={},
        scopes=scopes,
        redirect_urls=[("post_login", "https://desk.example.com/in")],
    )
    assert _last_changed() == ["redirect_urls", "scopes"]
    services.application_update(
        application=application,
        actor=actor,
        data={"name": "Front desk"},
        scopes=list(reversed(scopes)),
        redirect_urls=[("post_login", "https://desk.example.com/in")],
    )
    assert _last_changed() == []
    assert application.redirect_urls.count() == 1


def test_a_field_the_service_does_not_open_is_refused(organization, actor) -> None:
    application = make_application(organization, name="Front desk")
    with pytest.raises(ValueError, match=UNKNOWN_FIELD_MESSAGE.format(field="secret")):
        services.application_update(application=application, actor=actor, data={"secret": "x"})
    assert not AuditEvent.objects.filter(action="application_update").exists()


def test_model_update_validates_and_saves_only_what_changed(organization) -> None:
    application = make_application(organization, name="Front desk")
    stamp = application.updated_at
    assert model_update(instance=application, fields=["name"], data={"name": "Front desk"}) == []
    application.refresh_from_db()
    assert application.updated_at == stamp
    with pytest.raises(ValidationError):
        model_update(instance=application, fields=["uri"], data={"uri": "not a uri"})
    application.refresh_from_db()
    assert application.uri != "not a uri"
    assert model_update(instance=application, fields=["name"], data={"name": "Desk"}) == ["name"]
    application.refresh_from_db()
    assert application.name == "Desk" and application.updated_at > stamp
