"""The run by hand behind ``manage.py send_expiry_alerts``: scan, then deliver inline.

The beat task queues one delivery per organization for the worker; a run by hand delivers
them itself (no worker needed), on its last attempt, so a failure leaves the rows ``failed``
for the next scan. ``preview_rows`` is what the command prints, for a dry run or a real one.
The command only parses its arguments and formats these results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from apps_registry.alerts.claims import ScanReport, expiry_alerts_scan
from apps_registry.alerts.delivery import Delivery, expiry_alerts_deliver
from apps_registry.alerts.digest import normalize
from apps_registry.alerts.due import DueKey, thresholds_label
from apps_registry.models import Application, Organization
from apps_registry.models.keys import days_until


@dataclass(frozen=True)
class PreviewRow:
    """One key a run puts (or would put) in a digest."""

    organization: str
    application: str
    prefix: str
    expires_at: dt.datetime
    days_left: int
    alerts: str
    recipients: tuple[str, ...] = ()


@dataclass
class InlineRun:
    report: ScanReport
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def preview_rows(report: ScanReport) -> list[PreviewRow]:
    """One row per key, newly due or retried, by organization then expiry (one query)."""
    merged: dict[int, DueKey] = {}
    for key in [*report.due, *report.retry]:
        seen = merged.get(key.api_key_id)
        thresholds = sorted({*key.thresholds, *(seen.thresholds if seen else ())}, reverse=True)
        merged[key.api_key_id] = DueKey(**{**key.__dict__, "thresholds": tuple(thresholds)})
    org_ids = {key.organization_id for key in merged.values()}
    organizations = Organization.objects.filter(pk__in=org_ids)
    names = dict(organizations.values_list("pk", "name"))
    org_recipients = dict(organizations.values_list("pk", "alert_recipients"))
    app_ids = {key.application_id for key in merged.values()}
    contacts = dict(Application.objects.filter(pk__in=app_ids).values_list("pk", "contact_emails"))
    ordered = sorted(
        merged.values(), key=lambda k: (names.get(k.organization_id, ""), k.expires_at)
    )
    return [
        PreviewRow(
            organization=names.get(key.organization_id, "?"),
            application=key.application_name,
            prefix=key.prefix,
            expires_at=key.expires_at,
            days_left=days_until(key.expires_at, report.now),
            alerts=thresholds_label(key.thresholds),
            recipients=tuple(
                sorted(
                    {
                        normalize(email)
                        for email in [
                            *(org_recipients.get(key.organization_id) or []),
                            *(contacts.get(key.application_id) or []),
                        ]
                    }
                )
            ),
        )
        for key in ordered
    ]


def expiry_alerts_run(*, now: dt.datetime, dry_run: bool = False) -> InlineRun:
    """Claim what is due and deliver each organization's digest now; nothing with ``dry_run``."""
    run = InlineRun(report=expiry_alerts_scan(now=now, dry_run=dry_run))
    if dry_run:
        return run
    for batch in run.report.batches:
        try:
            outcome = expiry_alerts_deliver(
                organization_id=batch.organization_id,
                claim=batch.claim,
                now=now,
                final_attempt=True,
            )
        except Exception as exc:  # one organization's failure never stops the next digest
            run.failed += 1
            run.errors.append(f"Organization {batch.organization_id}: {type(exc).__name__}")
            continue
        if outcome.status is Delivery.FAILED:
            run.failed += 1
        else:
            run.sent += 1
        if outcome.error:
            run.errors.append(f"Organization {batch.organization_id}: {outcome.error}")
    return run
