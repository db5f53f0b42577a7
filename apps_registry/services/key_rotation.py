"""Re-encrypt every encrypted column under the first key of ``FIELD_ENCRYPTION_KEY``.

Three passes: (1) every stored token must decrypt under the configured keys, or nothing is
changed; (2) tokens are rotated in batches, each batch in a transaction, with
``MultiFernet.rotate`` so plaintext never passes through this code; (3) every token must
then decrypt under the first key alone, so the old keys can be removed safely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection, models, transaction

from apps_registry import crypto
from apps_registry.fields import StrictEncryptedMixin

ROTATION_ABORTED_MESSAGE = (
    "Nothing was changed: {count} stored value(s) in {where} do not decrypt under any key in "
    "FIELD_ENCRYPTION_KEY. Add the key they were encrypted with (after the new one) and retry."
)
VERIFY_FAILED_MESSAGE = "{count} value(s) in {where} still need an old key; run the rotation again."

Progress = Callable[[str, int, int], None]


class RotationAbortedError(Exception):
    """Raised before any change when a stored value does not decrypt."""


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    def _sql(self, template: str) -> str:
        quote = connection.ops.quote_name
        return template.format(
            table=quote(self.model._meta.db_table),
            column=quote(str(self.field.column)),
            pk=quote(str(self.model._meta.pk.column)),
        )

    def tokens(self, batch_size: int) -> Iterator[list[tuple[object, str]]]:
        """Batches of ``(pk, token)`` read straight from the table, never decrypted here."""
        sql = self._sql(
            "SELECT {pk}, {column} FROM {table} "
            "WHERE {column} IS NOT NULL AND {column} <> '' ORDER BY {pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch_size):
                yield [(pk, str(token)) for pk, token in rows]

    def write(self, rows: list[tuple[object, str]]) -> None:
        sql = self._sql("UPDATE {table} SET {column} = %s WHERE {pk} = %s")
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(token, pk) for pk, token in rows])  # type: ignore[misc]

    def count(self) -> int:
        return sum(len(batch) for batch in self.tokens(10_000))


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted column of every installed model (registry, connections, canary...)."""
    return [
        EncryptedColumn(model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, StrictEncryptedMixin)
    ]


def _undecryptable(column: EncryptedColumn, decrypts: Callable[[bytes], object]) -> int:
    failures = 0
    for batch in column.tokens(1000):
        for _, token in batch:
            try:
                decrypts(token.encode("ascii"))
            except (InvalidToken, ValueError, UnicodeEncodeError):
                failures += 1
    return failures


def encryption_keys_rotate(
    *, batch_size: int = 500, dry_run: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Rotate every encrypted value to the first key; returns rows per column."""
    columns = encrypted_columns()
    crypter = crypto.crypter()
    for column in columns:
        failures = _undecryptable(column, crypter.decrypt)
        if failures:
            raise RotationAbortedError(
                ROTATION_ABORTED_MESSAGE.format(count=failures, where=column.label)
            )
    counts = {column.label: column.count() for column in columns}
    if dry_run:
        return counts
    for column in columns:
        done = 0
        for batch in column.tokens(batch_size):
            with transaction.atomic():
                column.write([(pk, crypter.rotate(token.encode()).decode()) for pk, token in batch])
            done += len(batch)
            if progress is not None:
                progress(column.label, done, counts[column.label])
    primary = crypto.primary_crypter()
    for column in columns:
        left = _undecryptable(column, primary.decrypt)
        if left:
            raise RotationAbortedError(VERIFY_FAILED_MESSAGE.format(count=left, where=column.label))
    return counts
