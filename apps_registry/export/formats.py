"""Render export items: ``.env`` and JSON files, and a ZIP with a manifest for several.

The manifest says what, when, by whom and in which format; it never holds a secret.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from apps_registry.export.dotenv import is_control, quote_env_value
from apps_registry.plugins import ExportItem

FORMATS = ("env", "json")
CONTENT_TYPES = {
    "env": "text/plain; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}
ITEM_LABELS = {"app": "Application", "site": "Mindbody connection"}


@dataclass(frozen=True)
class ExportFile:
    """What the browser downloads or the command writes."""

    filename: str
    content_type: str
    body: bytes


def item_filename(item: ExportItem, fmt: str) -> str:
    """A safe slug such as ``app-12-spa-booking.env``."""
    return f"{item.kind}-{item.pk}-{slugify(item.name)[:60] or 'item'}.{fmt}"


def item_label(item: ExportItem) -> str:
    """``Application “Spa booking”`` for messages, with control characters shown as ``?``."""
    name = "".join("?" if is_control(char) else char for char in item.name)
    return f"{ITEM_LABELS.get(item.kind, item.kind)} “{name}”"


def render_env(item: ExportItem, *, exported_at: dt.datetime, actor_label: str) -> str:
    """``KEY='value'`` lines quoted per value (see ``export/dotenv.py``) so bash, dash,
    django-environ, python-dotenv and docker compose all read back the stored values.

    Raises ``EnvValueError`` naming the item and variable when no quoting can carry a value.
    The header's names are ``repr()``-escaped, so no character in them can start a line.
    """
    label = item_label(item)
    lines = [f"{name}={quote_env_value(value, item=label, field=name)}" for name, value in item.env]
    header = [
        f"# Keyport export of {item.kind} {item.pk}: {item.name!r} ({item.organization!r})",
        f"# Exported {exported_at.isoformat()} by {actor_label}. Keep this file secret.",
    ]
    return "\n".join(header + lines) + "\n"


def render_json(item: ExportItem) -> str:
    return json.dumps(item.data, indent=2, sort_keys=True) + "\n"


def render_item(item: ExportItem, fmt: str, *, exported_at: dt.datetime, actor_label: str) -> str:
    if fmt == "env":
        return render_env(item, exported_at=exported_at, actor_label=actor_label)
    return render_json(item)


def manifest(
    items: list[ExportItem], fmt: str, *, exported_at: dt.datetime, actor_label: str
) -> dict[str, object]:
    """What is in the bundle; names and ids only, never a value."""
    return {
        "exported_at": exported_at.isoformat(),
        "exported_by": actor_label,
        "format": fmt,
        "items": [
            {
                "type": item.kind,
                "id": item.pk,
                "name": item.name,
                "organization": item.organization,
                "file": item_filename(item, fmt),
            }
            for item in items
        ],
    }


def bundle(
    items: list[ExportItem],
    fmt: str,
    *,
    exported_at: dt.datetime,
    actor_label: str,
    as_zip: bool = False,
) -> ExportFile:
    """One item → one file (or a ZIP when asked); several → a ZIP with one file per item and
    ``manifest.json``."""
    if len(items) == 1 and not as_zip:
        text = render_item(items[0], fmt, exported_at=exported_at, actor_label=actor_label)
        return ExportFile(item_filename(items[0], fmt), CONTENT_TYPES[fmt], text.encode("utf-8"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            text = render_item(item, fmt, exported_at=exported_at, actor_label=actor_label)
            archive.writestr(item_filename(item, fmt), text)
        meta = manifest(items, fmt, exported_at=exported_at, actor_label=actor_label)
        archive.writestr("manifest.json", json.dumps(meta, indent=2) + "\n")
    stamp = exported_at.strftime("%Y%m%d-%H%M%S")
    return ExportFile(f"keyport-credentials-{stamp}.zip", CONTENT_TYPES["zip"], buffer.getvalue())


def write_private_file(path: Path, body: bytes) -> None:
    """Write ``body`` readable by its owner only (mode 0600, even over an existing file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(body)
