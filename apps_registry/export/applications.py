"""How an application becomes an export item (the ``app`` export source).

Variable names are part of Keyport's interface (documented in the README): deployments
read them, so they never change meaning. The prefix says who issued the values: ``KEYPORT_``
for credentials Keyport generated (only Keyport's verification API knows them), ``ZENOTI_``
for credentials Zenoti issued, which also carry the account name and the API base URL.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps_registry.models import ApiKey, Application
from apps_registry.models.applications import ISSUER_KEYPORT, ISSUER_ZENOTI
from apps_registry.plugins import ExportItem, ExportSource

ENV_PREFIX = {ISSUER_KEYPORT: "KEYPORT", ISSUER_ZENOTI: "ZENOTI"}


def _applications() -> QuerySet[Application]:
    return Application.objects.all()


def _prepare(queryset: QuerySet[Application]) -> QuerySet[Application]:
    usable = ApiKey.objects.usable().order_by("-created_at")
    return queryset.select_related("organization").prefetch_related(
        "scopes", "redirect_urls", Prefetch("api_keys", queryset=usable, to_attr="usable_keys")
    )


def application_item(application: Application) -> ExportItem:
    """Render one app: ID, secret, auth method, scopes and every usable key with its expiry."""
    keys: list[ApiKey] = getattr(application, "usable_keys", None) or list(
        application.api_keys.usable(timezone.now()).order_by("-created_at")
    )
    scopes = sorted(scope.code for scope in application.scopes.all())
    zenoti = application.issued_by_zenoti
    mark = ENV_PREFIX[application.issuer]
    env = [(f"{mark}_APP_NAME", application.name)]
    if zenoti:
        env.append(("ZENOTI_ACCOUNT_NAME", application.zenoti_account_name))
        env.append(("ZENOTI_API_BASE_URL", application.zenoti_base_url()))
    env += [
        (f"{mark}_APPLICATION_ID", application.application_id),
        (f"{mark}_APPLICATION_SECRET", application.secret),
        (f"{mark}_AUTH_METHOD", application.auth_method),
        (f"{mark}_SCOPES", ",".join(scopes)),
    ]
    for number, key in enumerate(keys, start=1):
        suffix = "" if number == 1 else f"_{number}"
        env.append((f"{mark}_API_KEY{suffix}", key.key))
        env.append((f"{mark}_API_KEY{suffix}_EXPIRES_AT", key.expires_at.isoformat()))
    data: dict[str, object] = {
        "type": "application",
        "name": application.name,
        "organization": application.organization.name,
        "issuer": application.issuer,
        "application_id": application.application_id,
        "secret": application.secret,
        "auth_method": application.auth_method,
        "credential_origin": application.credential_origin,
        "scopes": scopes,
        "api_keys": [
            {"prefix": k.prefix, "key": k.key, "expires_at": k.expires_at.isoformat()} for k in keys
        ],
        "redirect_urls": [{"kind": r.kind, "url": r.url} for r in application.redirect_urls.all()],
    }
    if zenoti:
        data["zenoti_account_name"] = application.zenoti_account_name
        data["zenoti_api_base_url"] = application.zenoti_base_url()
    return ExportItem(
        kind="app",
        pk=application.pk,
        name=application.name,
        organization=application.organization.name,
        env=env,
        data=data,
    )


APPLICATION_SOURCE = ExportSource(
    kind="app",
    label="Applications",
    queryset=_applications,
    organization_path="organization",
    to_item=application_item,
    prepare=_prepare,
)
