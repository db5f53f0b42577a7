"""System checks that stop start-up on a wrong ``FIELD_ENCRYPTION_KEY``.

``manage.py check``, ``runserver``, ``migrate`` and the Celery worker (see
``config/celery_app.py``) all run them; the messages name the setting, never a key.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from apps_registry import crypto

KEY_MALFORMED_ID = "keyport.E001"
KEY_WRONG_ID = "keyport.E002"
KEY_WRONG_MESSAGE = (
    "FIELD_ENCRYPTION_KEY cannot decrypt the data in this database: none of its keys is the "
    "key the stored secrets were encrypted with."
)
KEY_WRONG_HINT = (
    "Put the key this database was encrypted with back into FIELD_ENCRYPTION_KEY "
    "(a new key goes first, the old ones after it; see 'Key rotation' in the README)."
)


@register("keyport")
def check_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail when the keys are malformed or cannot decrypt the canary row."""
    from apps_registry.models import EncryptionCanary
    from apps_registry.models.canary import CANARY_PLAINTEXT

    try:
        crypto.crypter()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id=KEY_MALFORMED_ID)]
    try:
        canary = EncryptionCanary.objects.order_by("pk").first()
    except crypto.SecretDecryptionError:
        return [Error(KEY_WRONG_MESSAGE, hint=KEY_WRONG_HINT, id=KEY_WRONG_ID)]
    except DatabaseError:
        return []  # not migrated yet: nothing is encrypted, nothing to check
    if canary is not None and canary.value != CANARY_PLAINTEXT:
        return [Error(KEY_WRONG_MESSAGE, hint=KEY_WRONG_HINT, id=KEY_WRONG_ID)]
    return []


def ensure_canary(**kwargs: Any) -> None:
    """``post_migrate`` receiver: write the canary once, under the first configured key."""
    from apps_registry.models import EncryptionCanary
    from apps_registry.models.canary import CANARY_PLAINTEXT

    if not EncryptionCanary.objects.exists():
        EncryptionCanary.objects.create(value=CANARY_PLAINTEXT)
