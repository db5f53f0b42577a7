"""Filters of the API keys list: status, issuer, expiry window, unused keys, organization.

Each filter asks the key rules in ``models/keys.py`` rather than restating them, so the list,
the dashboard and the alerts agree on what "expiring" or "in grace" means.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from apps_registry.models.applications import CredentialOrigin
from apps_registry.models.keys import ApiKeyStatus, ZenotiCheckResult
from apps_registry.selectors import organizations_for_user

USABLE = "usable"
UNUSED_FOR_DAYS = 30
EXPIRY_WINDOWS = {"7": 7, "30": 30, "90": 90}


class KeyStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        statuses = [(status.value, status.label) for status in ApiKeyStatus]
        return [(USABLE, "Usable (not revoked or expired)"), *statuses]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == USABLE:
            return queryset.usable(timezone.now())
        if self.value() not in ApiKeyStatus.values:
            return queryset
        return queryset.in_status(str(self.value()), timezone.now())


class IssuerFilter(admin.SimpleListFilter):
    title = "issuer"
    parameter_name = "issuer"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(CredentialOrigin.choices)  # "Issued by Keyport" / "Issued by Zenoti"

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() not in CredentialOrigin.values:
            return queryset
        return queryset.filter(application__credential_origin=self.value())


class ExpiryWindowFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expires"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        windows = [(value, f"Within {days} days") for value, days in EXPIRY_WINDOWS.items()]
        return [*windows, ("expired", "Expired")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        now = timezone.now()
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        days = EXPIRY_WINDOWS.get(str(self.value()))
        if days is None:
            return queryset
        return queryset.usable(now).filter(expires_at__lte=now + dt.timedelta(days=days))


class UsageFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "use"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unused30", f"Not used in {UNUSED_FOR_DAYS} days")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() != "unused30":
            return queryset
        since = timezone.now() - dt.timedelta(days=UNUSED_FOR_DAYS)
        return queryset.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=since))


class KeyOrganizationFilter(admin.SimpleListFilter):
    """Only the user's own organizations are offered (never another tenant's name)."""

    title = "organization"
    parameter_name = "organization"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(o.pk), o.name) for o in organizations_for_user(request.user)]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = str(self.value() or "")
        return queryset.filter(application__organization_id=value) if value.isdigit() else queryset


class ZenotiCheckFilter(admin.SimpleListFilter):
    """Zenoti-issued keys by their last live check (the dashboard's "Keys Zenoti refuses")."""

    title = "check with Zenoti"
    parameter_name = "zenoti"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(result), result.label) for result in ZenotiCheckResult]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() not in set(ZenotiCheckResult.values):
            return queryset
        return queryset.filter(
            application__credential_origin=CredentialOrigin.RECORDED, zenoti_result=self.value()
        )
