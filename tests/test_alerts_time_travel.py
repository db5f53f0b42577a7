"""Sixty days of daily scans with beat down for ten days and a doubled run: every alert
arrives exactly once, in the run that first could send it (apps_registry.alerts)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from apps_registry.alerts.claims import expiry_alerts_scan
from apps_registry.alerts.delivery import Delivery, expiry_alerts_deliver
from apps_registry.models import ExpiryAlert
from tests.factories import make_application, make_key, make_organization
from tests.support_alerts import NOW, in_days

pytestmark = pytest.mark.django_db

GAP = range(20, 30)  # beat was down on these days
LINE = re.compile(r"^- .+?: key ([A-Za-z0-9_]+)", re.MULTILINE)
DAYS = re.compile(r"\((\d+ days?|less than 1 day|expired[^)]*)\)")


def run_times() -> list[dt.datetime]:
    times = [in_days(day) for day in range(61) if day not in GAP]
    times.append(in_days(33))  # beat ran twice that morning
    times.append(in_days(12.5))  # and an operator ran the command by hand in the evening
    return sorted(times)


def expected_runs(keys, leads, times) -> dict[int, list[int]]:
    """Oracle: for each run, the keys that get a line (first run with something new)."""
    told: dict[int, set[int]] = defaultdict(set)
    lines: dict[int, list[int]] = defaultdict(list)
    for index, now in enumerate(times):
        for key, (created, expires_at, org) in keys.items():
            if created > now:
                continue
            crossed = {lead for lead in leads[org] if expires_at - dt.timedelta(days=lead) <= now}
            crossed |= {0} if expires_at <= now else set()
            if crossed - told[key]:
                lines[index].append(key)
                told[key] |= crossed
    return lines


def test_sixty_days_with_a_gap_send_every_alert_exactly_once(spa, mailoutbox) -> None:
    gym = make_organization(
        "Iron Gym", expiry_alert_days=[14, 2], alert_recipients=["gm@iron.test"]
    )
    leads = {spa.pk: [30, 7, 1], gym.pk: [14, 2]}
    spa_app, gym_app = (
        make_application(spa, name="Spa booking"),
        make_application(gym, name="Gym classes"),
    )
    keys: dict[int, tuple[dt.datetime, dt.datetime, int]] = {}
    prefixes: dict[str, int] = {}
    for days in (3, 10, 20, 28, 35, 45, 55, 70):
        key = make_key(spa_app, expires_at=in_days(days))
        keys[key.pk], prefixes[key.prefix] = (NOW, key.expires_at, spa.pk), key.pk
    for days in (16, 31):
        key = make_key(gym_app, expires_at=in_days(days))
        keys[key.pk], prefixes[key.prefix] = (NOW, key.expires_at, gym.pk), key.pk
    late_created, late_expiry = in_days(40), in_days(45)
    times = run_times()

    actual: dict[int, list[int]] = defaultdict(list)
    days_left_seen: dict[tuple[int, int], str] = {}
    for index, now in enumerate(times):
        if now == late_created:
            key = make_key(spa_app, expires_at=late_expiry)
            keys[key.pk], prefixes[key.prefix] = (late_created, late_expiry, spa.pk), key.pk
        mailoutbox.clear()
        report = expiry_alerts_scan(now=now)
        for batch in report.batches:
            outcome = expiry_alerts_deliver(
                organization_id=batch.organization_id,
                claim=batch.claim,
                now=now,
                final_attempt=True,
            )
            assert outcome.status is Delivery.SENT
        recipients = [message.to[0] for message in mailoutbox]
        assert len(recipients) == len(set(recipients))  # one digest per recipient per run
        assert len(recipients) == 2 * ("ops@serenity.test" in recipients) + (
            "gm@iron.test" in recipients
        )
        for message in (m for m in mailoutbox if m.to[0] != "sec@serenity.test"):
            found = LINE.findall(message.body)
            assert len(found) == len(set(found)), "a key appeared twice in one digest"
            for prefix, label in zip(found, DAYS.findall(message.body), strict=True):
                actual[index].append(prefixes[prefix])
                days_left_seen[(index, prefixes[prefix])] = label

    expected = expected_runs(keys, leads, times)
    assert {i: sorted(v) for i, v in actual.items()} == {i: sorted(v) for i, v in expected.items()}
    rows = list(ExpiryAlert.objects.values_list("api_key_id", "threshold_days", "status"))
    assert len(rows) == len(set(rows)) and {status for *_, status in rows} == {"sent"}
    told = {(key, lead) for key, lead, _ in rows}
    for key_id, (_, expires_at, org) in keys.items():
        for lead in [*leads[org], 0]:
            moment = expires_at - dt.timedelta(days=lead)
            assert ((key_id, lead) in told) == (moment <= times[-1]), (key_id, lead)

    # After the gap (first run: day 30), the key expiring on day 35 crossed 7 days during
    # the gap: one line with its real days left; the day-28 key is told it expired.
    first_after_gap = times.index(in_days(30))
    by_expiry = {expires_at: key_id for key_id, (_, expires_at, _) in keys.items()}
    assert days_left_seen[(first_after_gap, by_expiry[in_days(35)])] == "5 days"
    assert days_left_seen[(first_after_gap, by_expiry[in_days(28)])] == "expired 2 days ago"
    # The key created five days before its expiry got one line right away.
    assert days_left_seen[(times.index(late_created), by_expiry[late_expiry])] == "5 days"
