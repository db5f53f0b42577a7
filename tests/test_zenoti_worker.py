"""The daily Zenoti pass end to end: beat entry, a real Celery worker on Redis, the fake
Zenoti on 127.0.0.1 and a real SMTP server. PostgreSQL only: the worker runs in another
thread, which an in-memory SQLite database cannot share."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from apps_registry.actors import Actor
from apps_registry.apps import ZENOTI_CHECK_ENTRY
from apps_registry.models import ApiKey
from apps_registry.plugins import PERIODIC_TASKS
from apps_registry.tasks import ZENOTI_ACCOUNT_TASK, ZENOTI_DAILY_TASK, verify_zenoti_keys
from tests.factories import make_zenoti_application
from tests.support_zenoti import only_key, zenoti_key

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_setup_periodic_tasks_schedules_the_daily_check() -> None:
    assert PERIODIC_TASKS[ZENOTI_CHECK_ENTRY].task == ZENOTI_DAILY_TASK
    call_command("setup_periodic_tasks")
    entry = PeriodicTask.objects.get(name=ZENOTI_CHECK_ENTRY)
    assert entry.task == ZENOTI_DAILY_TASK and entry.enabled
    assert (entry.crontab.minute, entry.crontab.hour, entry.crontab.day_of_week) == ("20", "5", "*")


def test_daily_pass_on_a_real_worker_checks_every_key_and_emails_once(
    organization, fake_zenoti, smtp_server, celery_worker_on_redis, celery_task_log
) -> None:
    actor = Actor.system()
    good, dropped, other = zenoti_key(), zenoti_key(), zenoti_key()
    for raw in (good, dropped, other):
        fake_zenoti.add_key(raw)
    accepted = make_zenoti_application(organization, actor=actor, name="Webstore", api_key=good)
    refused = make_zenoti_application(organization, actor=actor, name="Kiosk", api_key=dropped)
    second_org = make_zenoti_application(
        organization, actor=actor, name="Other account", api_key=other, account="rivalgym"
    )
    assert set(ApiKey.objects.values_list("zenoti_result", flat=True)) == {"passed"}
    fake_zenoti.turn_off(dropped, shape="upper")

    verify_zenoti_keys.delay()
    celery_task_log.wait_for(ZENOTI_ACCOUNT_TASK, count=2)  # one per Zenoti organization
    (mail,) = smtp_server.wait_for(1)
    assert "Kiosk" in mail.message["Subject"] and dropped not in mail.text + mail.html
    assert only_key(accepted).zenoti_result == "passed"
    assert only_key(second_org).zenoti_result == "passed"
    refused_key = only_key(refused)
    assert refused_key.zenoti_result == "refused" and refused_key.zenoti_code == "403"

    verify_zenoti_keys.delay()  # the next day: still refused, no second email
    celery_task_log.wait_for(ZENOTI_ACCOUNT_TASK, count=4)
    assert len(smtp_server.received) == 1
    assert len(fake_zenoti.requests_for(dropped)) == 3  # recorded, day one, day two
