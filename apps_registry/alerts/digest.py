"""Build one organization's digest: one message per recipient, one line per key.

Pure (no queries) so the delivery service and the benchmark share it. Organization
recipients see every line; an app's contacts see their apps' lines only; an address on
both lists gets one message. Lines show the key prefix, never the key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from apps_registry.alerts.message import Reason, build_message
from apps_registry.models.keys import days_until


@dataclass(frozen=True)
class AlertRow:
    """What the digest needs of one ``ExpiryAlert`` row (plain data, no secret)."""

    alert_id: int
    api_key_id: int
    application_id: int
    application_name: str
    contact_emails: Sequence[str]
    prefix: str
    expires_at: dt.datetime
    delivered_to: frozenset[str] = frozenset()
    issued_by_zenoti: bool = False
    label: str = ""
    last_four: str = ""


@dataclass(frozen=True)
class DigestLine:
    application_name: str
    prefix: str
    expires_at: dt.datetime
    days_left: int
    expired: bool
    rotate_url: str  # the page that replaces the key: Rotate, or Record replacement key
    alert_ids: tuple[int, ...]
    issued_by_zenoti: bool = False
    label: str = ""
    last_four: str = ""

    @property
    def days_left_label(self) -> str:
        """``days_left`` is ``days_until`` (rounded up), so an expired key counts whole days
        since its expiry: ``-2`` for 2.5 days ago."""
        if self.expired:
            ago = -self.days_left
            if ago == 0:
                return "expired today"
            return f"expired {ago} day" + (" ago" if ago == 1 else "s ago")
        return f"{self.days_left} day" + ("" if self.days_left == 1 else "s")


@dataclass(frozen=True)
class PlannedMessage:
    recipient: str
    lines: list[DigestLine]
    message: EmailMultiAlternatives


@dataclass
class DigestPlan:
    """``audience`` is everyone entitled to some line; ``messages`` what still must go out."""

    audience: list[str] = field(default_factory=list)
    messages: list[PlannedMessage] = field(default_factory=list)


def normalize(email: str) -> str:
    return email.strip().lower()


def rotate_url(application_id: int, api_key_id: int, *, issued_by_zenoti: bool = False) -> str:
    """Keyport rotates its own keys; a Zenoti key is rotated in Zenoti, then recorded here."""
    name = "key_record_replacement" if issued_by_zenoti else "key_rotate"
    path = reverse(f"admin:apps_registry_application_{name}", args=[application_id, api_key_id])
    return settings.SITE_URL.rstrip("/") + path


def _lines(rows: Iterable[AlertRow], now: dt.datetime) -> dict[int, DigestLine]:
    """One line per key, carrying every alert id of that key (all crossed lead times)."""
    ids: dict[int, list[int]] = defaultdict(list)
    first: dict[int, AlertRow] = {}
    for row in rows:
        ids[row.api_key_id].append(row.alert_id)
        first.setdefault(row.api_key_id, row)
    return {
        key_id: DigestLine(
            application_name=row.application_name,
            prefix=row.prefix,
            expires_at=row.expires_at,
            days_left=days_until(row.expires_at, now),
            expired=row.expires_at <= now,
            rotate_url=rotate_url(
                row.application_id, key_id, issued_by_zenoti=row.issued_by_zenoti
            ),
            alert_ids=tuple(sorted(ids[key_id])),
            issued_by_zenoti=row.issued_by_zenoti,
            label=row.label,
            last_four=row.last_four,
        )
        for key_id, row in first.items()
    }


def _audience(org_recipients: Sequence[str], rows: Sequence[AlertRow]) -> dict[str, set[int]]:
    """Normalized address -> key ids it may see; organization recipients see all keys."""
    every_key = {row.api_key_id for row in rows}
    audience: dict[str, set[int]] = {normalize(e): set(every_key) for e in org_recipients}
    for row in rows:
        for email in row.contact_emails:
            audience.setdefault(normalize(email), set()).add(row.api_key_id)
    return audience


def plan_digest(
    *,
    organization_name: str,
    org_recipients: Sequence[str],
    rows: Sequence[AlertRow],
    now: dt.datetime,
    contacts_external: bool = False,
) -> DigestPlan:
    """Messages still owed: a recipient already given every row of a key skips that key.

    With ``contacts_external`` the apps' contacts (who are not organization recipients) get
    the same facts without links into an admin they cannot open.
    """
    org_addresses = {normalize(email) for email in org_recipients}
    lines = _lines(rows, now)
    rows_by_key: dict[int, list[AlertRow]] = defaultdict(list)
    for row in rows:
        rows_by_key[row.api_key_id].append(row)
    plan = DigestPlan()
    for address, key_ids in _audience(org_recipients, rows).items():
        plan.audience.append(address)
        owed = sorted(
            (k for k in key_ids if any(address not in r.delivered_to for r in rows_by_key[k])),
            key=lambda k: (lines[k].expires_at, lines[k].prefix),
        )
        if owed:
            chosen = [lines[k] for k in owed]
            as_member = address in org_addresses
            message = build_message(
                organization_name=organization_name,
                recipient=address,
                lines=chosen,
                reason=Reason.RECIPIENT if as_member else Reason.CONTACT,
                with_links=as_member or not contacts_external,
            )
            plan.messages.append(PlannedMessage(recipient=address, lines=chosen, message=message))
    return plan
