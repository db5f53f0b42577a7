"""``manage.py export_credentials``: the command-line twin of the export page.

Writes one ``.env``/JSON file (or a ZIP for several items) with mode 0600, refusing to
overwrite without ``--force``; with no ``--output`` it prints to stdout only when stdout is
not a terminal, so secrets do not land in a scrollback by accident. Audited as
``cli:<os user>``. A thin wrapper: ``selectors.export_objects_by_reference`` finds what is
named, ``services.credentials_export`` renders and audits it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from apps_registry.actors import Actor
from apps_registry.export.dotenv import EnvValueError
from apps_registry.export.formats import write_private_file
from apps_registry.selectors import ExportReferenceError, export_objects_by_reference
from apps_registry.services.export import credentials_export
from plumbing.terminal import SafeOutputCommand, stream_of

TERMINAL_MESSAGE = "Refusing to print secrets to a terminal: pass --output PATH or pipe the output."
EXISTS_MESSAGE = "{path} already exists; pass --force to overwrite it."
ZIP_NEEDS_BINARY_MESSAGE = "Several items make a ZIP file: pass --output PATH."
NOTHING_NAMED_MESSAGE = "Name at least one --app or --site."


class Command(SafeOutputCommand):
    help = "Export credentials of applications (by Application ID) and Mindbody connections."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app", nargs="+", default=[], metavar="APPLICATION_ID")
        parser.add_argument("--site", nargs="+", default=[], type=int, metavar="CONNECTION_ID")
        parser.add_argument("--format", choices=["env", "json"], required=True)
        parser.add_argument("--output", type=Path)
        parser.add_argument("--force", action="store_true")
        parser.add_argument(
            "--zip", action="store_true", help="A ZIP with a manifest even for one item."
        )

    def _selection(self, app_ids: list[str], site_ids: list[int]) -> dict[str, list[Any]]:
        if not app_ids and not site_ids:
            raise CommandError(NOTHING_NAMED_MESSAGE)
        try:
            return export_objects_by_reference(application_ids=app_ids, site_ids=site_ids)
        except ExportReferenceError as exc:
            raise CommandError(str(exc)) from exc

    def _print(self, body: bytes, *, is_zip: bool) -> None:
        if not is_zip:
            # The file itself, byte for byte (never to a terminal, see TERMINAL_MESSAGE).
            stream_of(self.stdout).write(body.decode("utf-8"))
            return
        binary = getattr(self.stdout._out, "buffer", None)
        if binary is None:
            raise CommandError(ZIP_NEEDS_BINARY_MESSAGE)
        binary.write(body)
        binary.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        if output is None and sys.stdout.isatty() and self.stdout._out is sys.stdout:
            raise CommandError(TERMINAL_MESSAGE)
        if output is not None and output.exists() and not options["force"]:
            raise CommandError(EXISTS_MESSAGE.format(path=output))
        selection = self._selection(options["app"], options["site"])
        try:
            export_file = credentials_export(
                actor=Actor.cli(),
                selection=selection,
                fmt=options["format"],
                as_zip=options["zip"],
            )
        except EnvValueError as exc:
            raise CommandError(str(exc)) from exc
        if output is None:
            self._print(export_file.body, is_zip=export_file.filename.endswith(".zip"))
            return
        write_private_file(output, export_file.body)
        self.stderr.write(
            f"Wrote {export_file.filename} ({len(export_file.body)} bytes) to {output}."
        )
