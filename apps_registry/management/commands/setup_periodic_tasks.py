"""``manage.py setup_periodic_tasks``: create or update the beat schedule, idempotently.

Entries come from the plug-in registry every app fills in its ``ready()``; an operator's
enabled/disabled choice and ``last_run_at`` survive re-runs.
"""

from __future__ import annotations

from typing import Any

from apps_registry.actors import Actor
from apps_registry.alerts.schedule import periodic_tasks_sync
from apps_registry.plugins import PERIODIC_TASKS
from plumbing.terminal import SafeOutputCommand


class Command(SafeOutputCommand):
    help = "Create or update the Celery beat schedule (keeps operators' enabled choices)."

    def handle(self, *args: Any, **options: Any) -> None:
        for result in periodic_tasks_sync(specs=PERIODIC_TASKS.values(), actor=Actor.cli()):
            self.stdout.write(f"{result.action:9} {result.name}")
