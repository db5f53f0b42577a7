"""The daily call budget (connections.services.budget): calls per API key per UTC day.

Every request the client sends is counted against its API key; the connection page and the
dashboard show today's count and the last 30 days; the alert recipients get one email per
key and day once 80 % of ``MINDBODY_DAILY_CALL_BUDGET`` is spent.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connections as db_connections
from django.urls import reverse

from connections import notifications, services
from connections.call_tally import TALLY, key_digest
from connections.models import MindbodyCallDay
from tests.factories import make_connection
from tests.fake_mindbody import Fault
from tests.support_mindbody import API_KEY, OTHER_API_KEY

TODAY = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
NEXT_DAY = dt.datetime(2026, 3, 3, 0, 1, tzinfo=dt.UTC)  # the token issued TODAY still lives
DIGEST = key_digest(API_KEY)


@pytest.fixture(autouse=True)
def _frozen(fake_mindbody):
    fake_mindbody.clock = lambda: TODAY
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def _calls(day: dt.date | None = None, digest: str = DIGEST) -> int:
    day = day or TODAY.date()
    row = MindbodyCallDay.objects.filter(key_digest=digest, day=day).first()
    return row.calls if row else 0


def test_every_call_of_an_action_is_counted_against_its_key(issued_connection, actor) -> None:
    assert _calls() == 1  # the issue itself
    services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert _calls() == 3  # locations (tokenless) + the staff-only read
    services.mindbody_token_renew(connection=issued_connection, actor=actor)
    assert _calls() == 4
    assert _calls(digest=key_digest(OTHER_API_KEY)) == 0


def test_retries_are_calls_too(issued_connection, actor, fake_mindbody) -> None:
    fake_mindbody.fail_next("/public/v6/site/liabilitywaiver", Fault(503), times=2)
    services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert _calls() == 1 + 1 + 3


def test_a_pass_counts_every_call_it_made(organization, actor, issued_connection) -> None:
    services.mindbody_connections_verify_all()
    assert _calls() == 3
    assert TALLY.drain() == {}  # nothing left waiting


def test_days_are_counted_apart_in_utc(issued_connection, actor, _frozen) -> None:
    _frozen.move_to(TODAY.replace(hour=23, minute=59))
    services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    _frozen.move_to(NEXT_DAY)
    services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert (_calls(), _calls(TODAY.date() + dt.timedelta(days=1))) == (3, 2)


def test_80_percent_of_the_budget_emails_once_per_key_and_day(
    issued_connection, actor, settings, _frozen
) -> None:
    settings.MINDBODY_DAILY_CALL_BUDGET = 10  # alert at 8 calls
    for _ in range(3):
        services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert _calls() == 7 and mail.outbox == []
    services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    [email] = mail.outbox
    assert email.subject == notifications.SUBJECTS[notifications.BUDGET].format(
        hint=f"…{API_KEY[-4:]}", calls=9, budget=10
    )
    assert email.to == ["ops@serenity.test"] and API_KEY not in email.body
    assert "Sandbox (site -99)" in email.body
    for _ in range(3):
        services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert len(mail.outbox) == 1

    _frozen.move_to(NEXT_DAY)
    for _ in range(4):
        services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert len(mail.outbox) == 2


def test_no_budget_no_email(issued_connection, actor, settings) -> None:
    settings.MINDBODY_DAILY_CALL_BUDGET = 0
    for _ in range(5):
        services.mindbody_connection_verify(connection=issued_connection, actor=actor)
    assert _calls() == 11 and mail.outbox == []


def test_connection_page_shows_today_and_the_last_30_days(
    operator_client, issued_connection, actor, settings
) -> None:
    settings.MINDBODY_DAILY_CALL_BUDGET = 1000
    MindbodyCallDay.objects.create(
        key_digest=DIGEST, day=TODAY.date() - dt.timedelta(days=3), calls=412
    )
    MindbodyCallDay.objects.create(
        key_digest=DIGEST, day=TODAY.date() - dt.timedelta(days=40), calls=999
    )
    url = reverse("admin:connections_mindbodysiteconnection_change", args=[issued_connection.pk])
    page = operator_client.get(url).content.decode()
    assert "1 of 1,000 calls (0 % of the daily budget)" in page
    assert "413 calls; busiest day 2026-02-27 (412)." in page
    assert (
        "<td>2026-02-27</td><td>412</td>" in page and "65,432" not in page and "65432" not in page
    )


def test_dashboard_shows_calls_per_organization(
    operator_client, issued_connection, other_organization, actor
) -> None:
    MindbodyCallDay.objects.create(
        key_digest=DIGEST, day=TODAY.date() - dt.timedelta(days=1), calls=40
    )
    html = operator_client.get(reverse("admin:index")).content.decode()
    labels = re.findall(r'<th scope="col">([^<]+)</th>', html)
    found = re.search(r'<th scope="row">Serenity Spa</th>(.*?)</tr>', html, re.S)
    assert found is not None
    row = found.group(1)
    values = dict(zip(labels[1:], re.findall(r">(\d+)<", row), strict=False))
    assert values["Mindbody calls today"] == "1"
    assert values["Mindbody calls, last 30 days"] == "41"
    assert re.search(r'<td class=""><a [^>]+>41<', row)  # a count of calls is not an alarm


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_no_call_and_send_one_email(organization, fake_mindbody, settings):
    make_connection(organization, name="Busy", api_key=API_KEY)
    settings.MINDBODY_DAILY_CALL_BUDGET = 100
    start = threading.Barrier(8)

    def writer() -> None:
        start.wait()
        try:
            for _ in range(20):
                TALLY.add(API_KEY)
                services.mindbody_calls_record()
        finally:
            db_connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _calls() == 160
    assert len(mail.outbox) == 1
