"""``model_update``: the one way update services change a row (after HackSoft's helper).

An update service names the fields a caller may change and passes the new values; the helper
sets them, notes which really differ from what the instance held, validates with
``full_clean()`` and saves only those fields (plus any ``auto_now`` timestamp). The audit row
then lists what changed because the model says so, not because a form or caller claimed it.
Part of the kernel: ``connections`` uses it for its own update service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)
UNKNOWN_FIELD_MESSAGE = "{field} cannot be changed by this update."


def _auto_now_fields(instance: models.Model) -> list[str]:
    return [
        field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)
    ]


def model_update(*, instance: ModelT, fields: Sequence[str], data: Mapping[str, Any]) -> list[str]:
    """Set the ``fields`` that ``data`` holds on ``instance``; save; return what changed.

    Keys of ``data`` outside ``fields`` are refused (``ValueError``), so a caller cannot
    slip in a column the service did not mean to open. Nothing is saved when nothing differs.
    """
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(UNKNOWN_FIELD_MESSAGE.format(field=unknown[0]))
    changed = [name for name in fields if name in data and getattr(instance, name) != data[name]]
    for name in changed:
        setattr(instance, name, data[name])
    if changed:
        instance.full_clean()
        instance.save(update_fields=[*changed, *_auto_now_fields(instance)])
    return changed


def related_changed(before: Iterable[Any], after: Iterable[Any]) -> bool:
    """Whether a set of related rows (scopes, redirect URLs) differs, order aside."""
    return sorted(before) != sorted(after)
