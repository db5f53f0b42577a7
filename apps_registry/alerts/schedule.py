"""Create or update the beat schedule from ``apps_registry.plugins.PERIODIC_TASKS``.

Idempotent: a re-run changes nothing unless a spec changed, and it never touches what an
operator owns in the admin (``enabled`` and ``last_run_at``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.plugins import PeriodicTaskSpec

CRONTAB_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")


@dataclass(frozen=True)
class SyncResult:
    name: str
    action: str  # "created", "updated" or "unchanged"


def _crontab(spec: PeriodicTaskSpec) -> CrontabSchedule:
    fields: dict[str, Any] = {name: spec.crontab.get(name, "*") for name in CRONTAB_FIELDS}
    fields["timezone"] = settings.CELERY_TIMEZONE
    existing = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
    if existing is not None:
        return existing
    schedule = CrontabSchedule(**fields)
    schedule.full_clean()
    schedule.save()
    return schedule


def _sync_one(spec: PeriodicTaskSpec) -> tuple[PeriodicTask, str]:
    crontab = _crontab(spec)
    task = PeriodicTask.objects.filter(name=spec.name).first()
    wanted: dict[str, Any] = {
        "task": spec.task,
        "crontab_id": crontab.pk,
        "interval_id": None,
        "solar_id": None,
        "clocked_id": None,
        "description": spec.description,
    }
    if task is None:
        task = PeriodicTask(name=spec.name, enabled=True, **wanted)
        action = "created"
    else:
        changed = {name: value for name, value in wanted.items() if getattr(task, name) != value}
        if not changed:
            return task, "unchanged"
        for name, value in changed.items():
            setattr(task, name, value)
        action = "updated"
    task.full_clean()
    task.save()
    return task, action


@transaction.atomic
def periodic_tasks_sync(*, specs: Iterable[PeriodicTaskSpec], actor: Actor) -> list[SyncResult]:
    """One beat entry per spec, by name; audits what it created or changed."""
    results = []
    for spec in sorted(specs, key=lambda s: s.name):
        task, action = _sync_one(spec)
        if action != "unchanged":
            audit_record(
                actor=actor,
                action=f"periodic_task_{action}",
                target=task,
                details={"task": spec.task, "crontab": dict(spec.crontab)},
            )
        results.append(SyncResult(name=spec.name, action=action))
    return results
