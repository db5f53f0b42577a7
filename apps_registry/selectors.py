"""Reads of the registry: organization scoping, list annotations and scope choices
(verification's reads: ``selectors_verification.py``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps_registry import credentials
from apps_registry.models import ApiKey, ApiScope, Application, AuditEvent, Organization
from apps_registry.models.applications import CredentialOrigin
from apps_registry.plugins import EXPORT_SOURCES

ModelT = TypeVar("ModelT", bound=models.Model)
# What ``request.user`` is: the selectors scope to it, and refuse anonymous users.
RequestUser = User | AnonymousUser


def organizations_for_user(user: RequestUser) -> models.QuerySet[Organization]:
    """The organizations a user may act in: all of them for a superuser, else memberships."""
    return scope_to_user(Organization.objects.all(), user, "")


def scope_to_user(
    queryset: models.QuerySet[ModelT], user: RequestUser, organization_path: str
) -> models.QuerySet[ModelT]:
    """Limit ``queryset`` to objects whose organization (at ``organization_path``) is the user's.

    An empty path means the queryset is of organizations themselves.
    """
    if isinstance(user, AnonymousUser):
        return queryset.none()
    if user.is_superuser:
        return queryset
    prefix = f"{organization_path}__" if organization_path else ""
    return queryset.filter(**{f"{prefix}members": user})


def applications_with_key_summary(
    queryset: models.QuerySet[Any], now: dt.datetime | None = None
) -> models.QuerySet[Any]:
    """Annotate each app with its usable key count and next expiry, in the same query.

    Correlated subqueries rather than a JOIN + GROUP BY: the database then evaluates them
    only for the page of rows it returns, so the list page stays as fast at 100k apps as at
    1k (see docs/benchmarks.md). The secret is deferred: a list never needs it decrypted.
    """
    now = now or timezone.now()
    usable = ApiKey.objects.usable(now).filter(application=OuterRef("pk"))
    counted = usable.order_by().values("application").annotate(n=Count("*")).values("n")
    return (
        queryset.select_related("organization")
        .defer("secret")
        .annotate(
            active_key_count=Coalesce(Subquery(counted), 0),
            next_expiry=Subquery(usable.order_by("expires_at").values("expires_at")[:1]),
        )
    )


def application_id_taken(application_id: str) -> bool:
    """Whether any organization holds this Application ID (they are unique across tenants)."""
    return Application.objects.filter(application_id=application_id.strip()).exists()


def api_key_taken(raw_key: str) -> bool:
    """Whether any organization holds this API key (looked up by its digest)."""
    return ApiKey.objects.filter(key_digest=credentials.key_digest(raw_key.strip())).exists()


def grouped_scope_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Scopes as ``(group, [(pk, label), ...])`` so forms render one box per API group."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for scope in ApiScope.objects.order_by("group", "code"):
        groups[scope.group].append((scope.pk, scope.code))
    return list(groups.items())


class ExportNotFoundError(Exception):
    """An id in an export request is unknown or belongs to another organization."""


UNKNOWN_APP_MESSAGE = "No application with Application ID {value}."
UNKNOWN_SITE_MESSAGE = "No Mindbody connection with id {value}."
NO_SITES_MESSAGE = "Mindbody connections are not installed."


class ExportReferenceError(ValueError):
    """An Application ID or connection id named on the command line does not exist."""


def export_objects_by_reference(
    *, application_ids: Sequence[str], site_ids: Sequence[int]
) -> dict[str, list[Any]]:
    """What the command line names (apps by Application ID, sites by id), in that order,
    across every organization (the operator of the machine may export anything)."""
    selection: dict[str, list[Any]] = {}
    if application_ids:
        queryset = Application.objects.filter(application_id__in=application_ids)
        apps = {a.application_id: a for a in EXPORT_SOURCES["app"].prepare(queryset)}
        missing = [value for value in application_ids if value not in apps]
        if missing:
            raise ExportReferenceError(UNKNOWN_APP_MESSAGE.format(value=missing[0]))
        selection["app"] = [apps[value] for value in application_ids]
    if site_ids:
        source = EXPORT_SOURCES.get("site")
        if source is None:
            raise ExportReferenceError(NO_SITES_MESSAGE)
        sites = {s.pk: s for s in source.prepare(source.queryset().filter(pk__in=site_ids))}
        missing_sites = [pk for pk in site_ids if pk not in sites]
        if missing_sites:
            raise ExportReferenceError(UNKNOWN_SITE_MESSAGE.format(value=missing_sites[0]))
        selection["site"] = [sites[pk] for pk in site_ids]
    return selection


def export_objects(user: RequestUser, selection: dict[str, list[int]]) -> dict[str, list[Any]]:
    """The chosen objects, scoped to the user's organizations; raises if any id is missing."""
    found: dict[str, list[Any]] = {}
    for kind, ids in selection.items():
        source = EXPORT_SOURCES.get(kind)
        if source is None:
            raise ExportNotFoundError(kind)
        wanted = sorted(set(ids))
        queryset = scope_to_user(source.queryset(), user, source.organization_path)
        objects = list(source.prepare(queryset.filter(pk__in=wanted)).order_by("pk"))
        if [obj.pk for obj in objects] != wanted:
            raise ExportNotFoundError(kind)
        if objects:
            found[kind] = objects
    return found


def export_choices(user: RequestUser) -> dict[str, list[tuple[int, str]]]:
    """Everything the user may export, per kind, as ``(pk, "Organization / name")``."""
    choices: dict[str, list[tuple[int, str]]] = {}
    for kind, source in EXPORT_SOURCES.items():
        queryset = scope_to_user(source.queryset(), user, source.organization_path)
        rows = queryset.order_by("organization__name", "name").values_list(
            "pk", "organization__name", "name"
        )
        choices[kind] = [(pk, f"{organization} / {name}") for pk, organization, name in rows]
    return choices


def exports_in_last_hour(user: RequestUser, now: dt.datetime | None = None) -> int:
    """How many exports the user made in the past hour (the rate limit counts these)."""
    if isinstance(user, AnonymousUser):
        return 0
    since = (now or timezone.now()) - dt.timedelta(hours=1)
    return AuditEvent.objects.filter(actor=user, action="export", at__gte=since).count()


def zenoti_keys_to_check(
    *, now: dt.datetime, application_ids: Sequence[str] = ()
) -> models.QuerySet[Any]:
    """Ids of usable keys of active Zenoti-issued apps (optionally of some Application IDs)."""
    keys = ApiKey.objects.usable(now).filter(
        application__credential_origin=CredentialOrigin.RECORDED, application__is_active=True
    )
    if application_ids:
        keys = keys.filter(application__application_id__in=list(application_ids))
    return keys.order_by("pk").values_list("pk", flat=True)


def zenoti_keys_by_account(*, now: dt.datetime) -> dict[str, list[int]]:
    """The keys a daily pass checks, grouped per Zenoti organization (its rate-limit unit)."""
    rows = ApiKey.objects.filter(pk__in=zenoti_keys_to_check(now=now)).values_list(
        "pk", "application__zenoti_api_base_url", "application__zenoti_account_name"
    )
    grouped: dict[str, list[int]] = defaultdict(list)
    for key_id, base_url, account in rows.order_by("pk"):
        grouped[f"{base_url or ''}|{(account or '').strip().lower()}"].append(key_id)
    return dict(grouped)
