"""Read-only pieces of a connection's page: whose token, the key check, calls made.

Why apart from the admin class: each is a small function of the connection (and, for the
calls, of today's date), shown as plain text or escaped HTML; none renders a secret.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from connections.call_tally import key_digest
from connections.models import MindbodySiteConnection
from connections.selectors import calls_by_day

NOT_CHECKED_TEXT = "Not checked yet"
NO_USER_TEXT = "—"
NO_CALLS_TEXT = "No calls in the last 30 days"


def token_user(obj: MindbodySiteConnection) -> str:
    """``Staff, ID 100000001``; Owner and Admin users have no ID at the business (it is 0)."""
    if not obj.token_user_type:
        return NO_USER_TEXT
    if obj.token_user_id:
        return f"{obj.token_user_type}, ID {obj.token_user_id}"
    return obj.token_user_type


def site_check(obj: MindbodySiteConnection) -> str:
    if obj.site_checked_at is None:
        return NOT_CHECKED_TEXT
    when = date_format(timezone.localtime(obj.site_checked_at), "DATETIME_FORMAT")
    return f"Mindbody answered with {obj.location_count or 0} location(s) on {when}"


def _days(obj: MindbodySiteConnection) -> list[tuple[dt.date, int]]:
    digest = obj.api_key_digest or key_digest(obj.api_key)
    return calls_by_day(digest, timezone.now().astimezone(dt.UTC).date())


def calls_today(obj: MindbodySiteConnection) -> str:
    budget = settings.MINDBODY_DAILY_CALL_BUDGET
    calls = _days(obj)[-1][1]
    if budget <= 0:
        return f"{calls:,} calls"
    return f"{calls:,} of {budget:,} calls ({calls * 100 // budget} % of the daily budget)"


def calls_30_days(obj: MindbodySiteConnection) -> SafeString:
    days = _days(obj)
    busy = [(day, calls) for day, calls in reversed(days) if calls]  # newest first
    if not busy:
        return format_html("{}", NO_CALLS_TEXT)
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td></tr>", ((f"{d:%Y-%m-%d}", f"{c:,}") for d, c in busy)
    )
    busiest_day, busiest = max(busy, key=lambda pair: pair[1])
    return format_html(
        "{} calls; busiest day {} ({}).<details><summary>Calls per day</summary>"
        '<table><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Calls</th></tr>'
        "</thead><tbody>{}</tbody></table></details>",
        f"{sum(calls for _, calls in days):,}",
        f"{busiest_day:%Y-%m-%d}",
        f"{busiest:,}",
        rows,
    )
