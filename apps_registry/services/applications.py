"""Writes for applications: keyword-only, typed, atomic, validated, audited.

Each function runs ``full_clean()`` before saving so the same rules hold for the admin, the
command line and tests, and writes one ``AuditEvent`` that never carries a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import ApiScope, Application, Organization, RedirectURL
from apps_registry.models.applications import APPLICATION_EDITABLE_FIELDS, CredentialOrigin
from apps_registry.updates import model_update, related_changed


def _save_redirect_urls(application: Application, redirect_urls: Iterable[tuple[str, str]]) -> None:
    for kind, url in redirect_urls:
        redirect = RedirectURL(application=application, kind=kind, url=url)
        redirect.full_clean()
        redirect.save()


def _save_application(
    *,
    application: Application,
    scopes: Sequence[ApiScope],
    redirect_urls: Iterable[tuple[str, str]],
) -> Application:
    application.full_clean()
    application.save()
    application.scopes.set(scopes)
    _save_redirect_urls(application, redirect_urls)
    return application


@sensitive_variables("secret")
@transaction.atomic
def application_create(
    *,
    organization: Organization,
    name: str,
    uri: str,
    login_user_type: str,
    source_app: str,
    scopes: Sequence[ApiScope],
    actor: Actor,
    description: str = "",
    auth_method: str = "api_key",
    redirect_urls: Iterable[tuple[str, str]] = (),
    contact_emails: Sequence[str] = (),
) -> tuple[Application, str]:
    """Register an app with a fresh Application ID and secret; returns the secret once."""
    secret = credentials.new_secret()
    application = Application(
        organization=organization,
        name=name,
        uri=uri,
        description=description,
        login_user_type=login_user_type,
        source_app=source_app,
        auth_method=auth_method,
        application_id=credentials.new_application_id(),
        secret=secret,
        contact_emails=list(contact_emails),
        credential_origin=CredentialOrigin.GENERATED,
        created_by=actor.user,
    )
    _save_application(application=application, scopes=scopes, redirect_urls=redirect_urls)
    audit_record(
        actor=actor,
        action="application_create",
        organization=organization,
        target=application,
        details={"application_id": application.application_id, "scopes": len(scopes)},
    )
    return application, secret


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor: Actor,
    data: Mapping[str, Any],
    scopes: Sequence[ApiScope] | None = None,
    redirect_urls: Iterable[tuple[str, str]] | None = None,
) -> list[str]:
    """Apply ``data`` (any of ``APPLICATION_EDITABLE_FIELDS``) to the stored app; scopes and
    redirect URLs, when given, replace the old ones. Returns and audits what changed.

    The diff is taken against the row as stored (re-read under a lock), so edits a form
    already made to ``application`` in memory count only if they are in ``data``.
    Credentials are not editable here: they change only through the key services.
    """
    application.refresh_from_db(
        fields=APPLICATION_EDITABLE_FIELDS, from_queryset=Application.objects.select_for_update()
    )
    changed = model_update(instance=application, fields=APPLICATION_EDITABLE_FIELDS, data=data)
    if scopes is not None:
        before = application.scopes.values_list("pk", flat=True)
        if related_changed(before, [scope.pk for scope in scopes]):
            application.scopes.set(scopes)
            changed.append("scopes")
    if redirect_urls is not None:
        wanted = list(redirect_urls)
        before_urls = application.redirect_urls.values_list("kind", "url")
        if related_changed(before_urls, wanted):
            application.redirect_urls.all().delete()
            _save_redirect_urls(application, wanted)
            changed.append("redirect_urls")
    audit_record(
        actor=actor,
        action="application_update",
        organization=application.organization,
        target=application,
        details={"changed": sorted(changed)},
    )
    return changed
