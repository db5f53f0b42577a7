"""``manage.py rotate_encryption_keys``: re-encrypt everything under the new first key."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser

from apps_registry.services.key_rotation import RotationAbortedError, encryption_keys_rotate
from plumbing.terminal import SafeOutputCommand

BAR_WIDTH = 30


class Command(SafeOutputCommand):
    help = (
        "Re-encrypt every encrypted column with the first key in FIELD_ENCRYPTION_KEY "
        "(put the new key first, the old ones after it), then verify the first key alone "
        "decrypts everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Check and count only.")
        parser.add_argument("--batch-size", type=int, default=500)

    def _progress(self, label: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        end = "\n" if done >= total else ""
        self.stdout.write(f"\r{label:<45} [{bar}] {done}/{total}", ending=end)
        if self.stdout._out is sys.stdout:
            self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            counts = encryption_keys_rotate(
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                progress=self._progress,
            )
        except RotationAbortedError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
        for label, count in counts.items():
            self.stdout.write(f"{label}: {verb} {count} value(s)")
        if not options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    "Done: the first key alone decrypts everything. You can now remove the old "
                    "keys from FIELD_ENCRYPTION_KEY."
                )
            )
