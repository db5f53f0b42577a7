"""Where other apps plug into the registry without the registry importing them.

``connections`` (and any later app) fills these in from its ``AppConfig.ready()``, the way
models register with the admin site, so dependencies keep pointing one way (DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PeriodicTaskSpec:
    """One beat entry that ``manage.py setup_periodic_tasks`` creates or updates.

    ``name`` is the stable ``PeriodicTask.name``; ``crontab`` holds django-celery-beat
    ``CrontabSchedule`` fields (``minute``, ``hour``, ``day_of_week``, ...).
    """

    name: str
    task: str
    crontab: dict[str, str] = field(default_factory=dict)
    description: str = ""


PERIODIC_TASKS: dict[str, PeriodicTaskSpec] = {}


def register_periodic_task(spec: PeriodicTaskSpec) -> None:
    """Add or replace a beat entry by name (idempotent, so ``ready()`` may run twice)."""
    PERIODIC_TASKS[spec.name] = spec
