"""The admin index dashboard: counts per organization, expiring keys, an accessible chart."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps_registry.charts import Bar, bar_chart_svg
from apps_registry.dashboard import weekly_expiry_bars
from apps_registry.models import ExpiryAlert
from tests.factories import make_application, make_key

INDEX = reverse("admin:index")


def _app_with_key(organization, scopes, actor, name, days):
    application = make_application(organization, name=name, scopes=scopes, actor=actor)
    key = make_key(application, actor=actor, expires_at=timezone.now() + dt.timedelta(days=days))
    return application, key


def test_dashboard_counts_and_lists_what_expires_soon(
    operator_client, organization, other_organization, scopes, actor
):
    soon, soon_key = _app_with_key(organization, scopes, actor, "Soon", 10)
    _app_with_key(organization, scopes, actor, "Later", 200)
    _app_with_key(other_organization, scopes, actor, "Hidden", 5)
    html = operator_client.get(INDEX).content.decode()
    row = re.search(r"<th scope=\"row\">Serenity Spa</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r">(\d+)<", row)[:3] == ["2", "2", "1"]
    assert "Rival Gym" not in html and "Hidden" not in html
    assert reverse("admin:apps_registry_application_change", args=[soon.pk]) in html
    assert soon_key.prefix in html and soon_key.key not in html
    assert 'role="img"' in html and '<title id="chart-title">' in html
    assert "The same numbers as a table" in html


def test_dashboard_counts_failed_alerts(operator_client, organization, scopes, actor):
    _, key = _app_with_key(organization, scopes, actor, "Alerted", 5)
    ExpiryAlert.objects.create(
        api_key=key, threshold_days=7, expires_at=key.expires_at, status="failed"
    )
    html = operator_client.get(INDEX).content.decode()
    row = re.search(r"<th scope=\"row\">Serenity Spa</th>(.*?)</tr>", html, re.S).group(1)
    labels = re.findall(r'<th scope="col">([^<]+)</th>', html)
    values = dict(zip(labels[1:], re.findall(r">(\d+)<", row), strict=False))
    assert values["Failed alerts"] == "1"


def test_dashboard_query_count_does_not_grow(operator_client, organization, scopes, actor):
    _app_with_key(organization, scopes, actor, "First", 20)
    with CaptureQueriesContext(connection) as before:
        operator_client.get(INDEX)
    for number in range(15):
        _app_with_key(organization, scopes, actor, f"App {number}", 20 + number * 7)
    with CaptureQueriesContext(connection) as after:
        operator_client.get(INDEX)
    assert len(after) == len(before)


def test_weekly_bars_put_each_key_in_its_week(operator, organization, scopes, actor):
    now = timezone.now()
    for days in (1, 3, 8, 80, 90):
        _app_with_key(organization, scopes, actor, f"In {days}", days)
    bars = weekly_expiry_bars(operator, now + dt.timedelta(minutes=1))
    assert len(bars) == 12
    assert [bar.value for bar in bars][:3] == [2, 1, 0]
    assert bars[11].value == 1  # day 80 is in week 12; day 90 is past the chart


def test_chart_scales_to_a_round_maximum_and_escapes_labels():
    svg = bar_chart_svg([Bar("<wk1>", 3), Bar("wk2", 0)], title="T & t", description="d")
    assert "&lt;wk1&gt;" in svg and "T &amp; t" in svg
    assert ">4</text>" in svg  # the axis tops out at 4 for a maximum of 3
