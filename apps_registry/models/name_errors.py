"""A model mixin that reports a duplicate name on the Name field (kernel: connections use it).

Django puts a multi-column unique constraint's error (organization + name) above the whole
form; the person fixing it looks at the Name field. Models set ``duplicate_name_message`` to
the constraint's ``violation_error_message``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from apps_registry.validators import constraint_errors_on_field


class DuplicateNameOnField:
    duplicate_name_message = ""

    def validate_constraints(self, exclude: Any = None) -> None:
        try:
            super().validate_constraints(exclude)  # type: ignore[misc]
        except ValidationError as error:
            raise constraint_errors_on_field(error, self.duplicate_name_message, "name") from None
