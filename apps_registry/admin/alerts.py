"""Expiry alerts in the admin: read-only rows with filters and a "retry failed" action.

Rows are written only by the scan and the delivery; operators look, filter and retry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from apps_registry.actors import Actor
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.alerts.claims import expiry_alerts_retry
from apps_registry.models import ExpiryAlert
from apps_registry.models.alerts import EXPIRED_THRESHOLD
from apps_registry.tasks import enqueue_deliveries

RETRY_QUEUED = "{count} organization digest(s) queued for the failed alerts you selected."
RETRY_NOTHING = "None of the selected alerts has failed (or another delivery holds them)."
ERROR_PREVIEW_LENGTH = 80

ORGANIZATION_PATH = "api_key__application__organization"
DETAIL_FIELDS = (
    "api_key",
    "threshold_days",
    "expires_at",
    "status",
    "attempts",
    "sent_at",
    "recipients",
    "error",
    "claimed_at",
    "created_at",
)


@admin.register(ExpiryAlert)
class ExpiryAlertAdmin(OrganizationScopedAdmin):
    organization_path = ORGANIZATION_PATH
    list_display = [
        "organization",
        "application",
        "key_prefix",
        "lead_time",
        "status",
        "attempts",
        "sent_at",
        "error_preview",
    ]
    list_filter = [
        "status",
        "threshold_days",
        (ORGANIZATION_PATH, admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["api_key__prefix", "api_key__application__name", "error"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    fields = DETAIL_FIELDS
    readonly_fields = DETAIL_FIELDS

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        related = "api_key__application__organization"
        return (
            super()
            .get_queryset(request)
            .select_related(related)
            .defer("api_key__key", "api_key__application__secret")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a row would make the scan send that alert again.
        return False

    @admin.display(description="Organization", ordering=ORGANIZATION_PATH + "__name")
    def organization(self, alert: ExpiryAlert) -> str:
        return alert.api_key.application.organization.name

    @admin.display(description="Application", ordering="api_key__application__name")
    def application(self, alert: ExpiryAlert) -> str:
        return alert.api_key.application.name

    @admin.display(description="Key prefix", ordering="api_key__prefix")
    def key_prefix(self, alert: ExpiryAlert) -> str:
        return alert.api_key.prefix

    @admin.display(description="Lead time", ordering="threshold_days")
    def lead_time(self, alert: ExpiryAlert) -> str:
        if alert.threshold_days == EXPIRED_THRESHOLD:
            return "expired"
        return f"{alert.threshold_days} days"

    @admin.display(description="Error")
    def error_preview(self, alert: ExpiryAlert) -> str:
        if len(alert.error) <= ERROR_PREVIEW_LENGTH:
            return alert.error
        return alert.error[: ERROR_PREVIEW_LENGTH - 1] + "…"

    @admin.action(description="Retry failed alerts now", permissions=["change"])
    def retry_failed(self, request: HttpRequest, queryset: models.QuerySet[ExpiryAlert]) -> None:
        batches = expiry_alerts_retry(
            alerts=queryset, actor=Actor.from_request(request), now=timezone.now()
        )
        enqueue_deliveries(batches)
        if batches:
            self.message_user(request, RETRY_QUEUED.format(count=len(batches)), messages.SUCCESS)
        else:
            self.message_user(request, RETRY_NOTHING, messages.WARNING)
