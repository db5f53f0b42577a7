"""``setup_periodic_tasks`` (apps_registry.alerts.schedule): one entry per spec, idempotent,
and an operator's enabled/disabled choice and ``last_run_at`` survive re-runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps_registry.actors import Actor
from apps_registry.alerts.schedule import periodic_tasks_sync
from apps_registry.apps import EXPIRY_SCAN_ENTRY
from apps_registry.models import AuditEvent
from apps_registry.plugins import PERIODIC_TASKS, PeriodicTaskSpec
from apps_registry.tasks import SCAN_TASK

pytestmark = pytest.mark.django_db


def test_ready_registers_the_daily_scan() -> None:
    spec = PERIODIC_TASKS[EXPIRY_SCAN_ENTRY]
    assert spec.task == SCAN_TASK and spec.crontab == {"minute": "0", "hour": "6"}


def test_running_twice_leaves_one_schedule(capsys) -> None:
    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")
    assert "unchanged" in capsys.readouterr().out
    task = PeriodicTask.objects.get(name=EXPIRY_SCAN_ENTRY)
    assert PeriodicTask.objects.filter(task=SCAN_TASK).count() == 1
    # One beat entry and one crontab per registered spec (connections register two more).
    assert PeriodicTask.objects.count() == len(PERIODIC_TASKS)
    distinct_crontabs = {tuple(sorted(spec.crontab.items())) for spec in PERIODIC_TASKS.values()}
    assert CrontabSchedule.objects.count() == len(distinct_crontabs)
    assert (task.crontab.minute, task.crontab.hour, task.enabled) == ("0", "6", True)
    created = AuditEvent.objects.filter(action="periodic_task_created").count()
    assert created == len(PERIODIC_TASKS)


def test_an_operators_choices_survive_a_rerun() -> None:
    call_command("setup_periodic_tasks")
    task = PeriodicTask.objects.get(name=EXPIRY_SCAN_ENTRY)
    task.enabled = False
    task.save()
    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.get(name=EXPIRY_SCAN_ENTRY).enabled is False

    ran = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
    PeriodicTask.objects.filter(name=EXPIRY_SCAN_ENTRY).update(enabled=True, last_run_at=ran)
    call_command("setup_periodic_tasks")
    task = PeriodicTask.objects.get(name=EXPIRY_SCAN_ENTRY)
    assert task.enabled is True and task.last_run_at == ran


def test_a_changed_spec_updates_the_entry_but_keeps_it_disabled() -> None:
    spec = PeriodicTaskSpec(name="Test entry", task="x.y", crontab={"minute": "5", "hour": "1"})
    periodic_tasks_sync(specs=[spec], actor=Actor.cli())
    PeriodicTask.objects.filter(name="Test entry").update(enabled=False)
    moved = PeriodicTaskSpec(name="Test entry", task="x.y", crontab={"minute": "0", "hour": "2"})
    (result,) = periodic_tasks_sync(specs=[moved], actor=Actor.cli())
    task = PeriodicTask.objects.get(name="Test entry")
    assert result.action == "updated" and task.enabled is False
    assert (task.crontab.minute, task.crontab.hour) == ("0", "2")
