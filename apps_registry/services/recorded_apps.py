"""Recording an app whose credentials Zenoti issued: pasted ID, secret, account name, key.

Split from ``applications`` because what follows the write differs: a pasted key is checked
live with Zenoti once the app is committed, so no HTTP call runs inside the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apps_registry import credentials
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import ApiKey, ApiScope, Application, Organization
from apps_registry.models.applications import ZENOTI_ACCOUNT_NAME_REQUIRED, CredentialOrigin
from apps_registry.services.applications import _save_application
from apps_registry.services.keys import store_key
from apps_registry.services.zenoti_checks import zenoti_key_check


@sensitive_variables("secret", "api_key")
def application_record(
    *,
    organization: Organization,
    name: str,
    uri: str,
    login_user_type: str,
    source_app: str,
    scopes: Sequence[ApiScope],
    application_id: str,
    secret: str,
    zenoti_account_name: str,
    actor: Actor,
    zenoti_api_base_url: str = "",
    api_key: str = "",
    api_key_expires_at: dt.datetime | None = None,
    description: str = "",
    auth_method: str = "api_key",
    redirect_urls: Iterable[tuple[str, str]] = (),
    contact_emails: Sequence[str] = (),
) -> Application:
    """Keep credentials Zenoti issued: pasted ID, secret, account name, key and its expiry.

    A pasted key is checked live with Zenoti once the app is saved (stored either way).
    """
    if not zenoti_account_name.strip():
        raise ValidationError({"zenoti_account_name": ZENOTI_ACCOUNT_NAME_REQUIRED})
    application, key = _record_write(
        organization=organization,
        name=name,
        uri=uri,
        login_user_type=login_user_type,
        source_app=source_app,
        scopes=scopes,
        application_id=application_id,
        secret=secret,
        zenoti_account_name=zenoti_account_name.strip(),
        zenoti_api_base_url=zenoti_api_base_url.strip(),
        actor=actor,
        api_key=api_key,
        api_key_expires_at=api_key_expires_at,
        description=description,
        auth_method=auth_method,
        redirect_urls=redirect_urls,
        contact_emails=contact_emails,
    )
    if key is not None:
        zenoti_key_check(api_key=key, actor=actor)
    return application


@sensitive_variables("secret", "api_key")
@transaction.atomic
def _record_write(
    *,
    organization: Organization,
    name: str,
    uri: str,
    login_user_type: str,
    source_app: str,
    scopes: Sequence[ApiScope],
    application_id: str,
    secret: str,
    zenoti_account_name: str,
    zenoti_api_base_url: str,
    actor: Actor,
    api_key: str,
    api_key_expires_at: dt.datetime | None,
    description: str,
    auth_method: str,
    redirect_urls: Iterable[tuple[str, str]],
    contact_emails: Sequence[str],
) -> tuple[Application, ApiKey | None]:
    application = Application(
        organization=organization,
        name=name,
        uri=uri,
        description=description,
        login_user_type=login_user_type,
        source_app=source_app,
        auth_method=auth_method,
        application_id=application_id.strip(),
        secret=secret.strip(),
        contact_emails=list(contact_emails),
        credential_origin=CredentialOrigin.RECORDED,
        zenoti_account_name=zenoti_account_name,
        zenoti_api_base_url=zenoti_api_base_url,
        created_by=actor.user,
    )
    _save_application(application=application, scopes=scopes, redirect_urls=redirect_urls)
    key_prefix, key = "", None
    if api_key.strip():
        if api_key_expires_at is None:
            raise ValueError("A recorded API key needs its expiry date.")
        key = store_key(
            application=application,
            prefix=credentials.new_key_prefix(credentials.RECORDED_PREFIX_MARK),
            raw_key=api_key.strip(),
            expires_at=api_key_expires_at,
            actor=actor,
        )
        key_prefix = key.prefix
    audit_record(
        actor=actor,
        action="application_record",
        organization=organization,
        target=application,
        details={
            "application_id": application.application_id,
            "key_prefix": key_prefix,
            "issuer": application.issuer,
        },
    )
    return application, key
