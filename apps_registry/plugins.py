"""Where other apps plug into the registry without the registry importing them.

``connections`` (and any later app) fills these in from its ``AppConfig.ready()``, the way
models register with the admin site, so dependencies keep pointing one way (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet


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


@dataclass(frozen=True)
class ExportItem:
    """One exportable thing (an app, a Mindbody site) rendered as variables and as JSON.

    ``env`` is an ordered list of ``(VARIABLE, value)``; ``data`` is the JSON object. Both
    hold plaintext secrets, so an ``ExportItem`` lives only as long as one export.
    """

    kind: str
    pk: int
    name: str
    organization: str
    env: list[tuple[str, str]]
    data: dict[str, object]


@dataclass(frozen=True)
class ExportSource:
    """A kind of exportable object: how to find it, scope it and turn it into an item.

    ``queryset`` returns all objects of the kind (scoping is applied with
    ``organization_path``); ``prepare`` adds the joins an export needs (so a thousand
    apps cost a constant number of queries); ``to_item`` decrypts and renders one object.
    """

    kind: str
    label: str
    queryset: Callable[[], QuerySet[Any]]
    organization_path: str
    to_item: Callable[[Any], ExportItem]
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda queryset: queryset


EXPORT_SOURCES: dict[str, ExportSource] = {}


def register_export_source(source: ExportSource) -> None:
    """Add or replace an export source by kind (``app``, ``site``)."""
    EXPORT_SOURCES[source.kind] = source


@dataclass(frozen=True)
class DashboardMetric:
    """One column of the admin index's per-organization table.

    ``counts(organization_ids, now)`` answers ``{organization_id: count}`` in one query, so
    the dashboard costs the same number of queries for 1 or 1,000 organizations. ``link``
    gives the admin URL of the filtered list behind a count, so every number can be followed.
    ``attention`` marks a non-zero count as something to act on (failed alerts); plain figures
    (apps, calls made) leave it off.
    """

    key: str
    label: str
    counts: Callable[[list[int], Any], dict[int, int]]
    order: int = 100
    link: Callable[[int], str] | None = None  # the list behind a count, for one organization
    attention: bool = True


DASHBOARD_METRICS: dict[str, DashboardMetric] = {}


def register_dashboard_metric(metric: DashboardMetric) -> None:
    """Add or replace a dashboard column by key."""
    DASHBOARD_METRICS[metric.key] = metric
