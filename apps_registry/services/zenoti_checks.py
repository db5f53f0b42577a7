"""Live checks of Zenoti-issued keys: one key (on recording, the admin button) or a pass.

A pass (``manage.py verify_zenoti_keys``, the daily beat task) runs its HTTP calls on at
most ``ZENOTI_MAX_CONCURRENCY`` threads that never touch the database, behind the client's
per-organization rate limiter; each verdict is written by the calling thread in one short
transaction. The first refusal of a key that passed before emails the organization once;
the incident ends when the key passes again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps_registry import zenoti_notifications
from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.crypto import SecretDecryptionError
from apps_registry.models import ApiKey
from apps_registry.models.keys import ZenotiCheckResult
from apps_registry.selectors import zenoti_keys_to_check
from apps_registry.services.keys import KeyStateError
from apps_registry.zenoti import UNREACHABLE, ZenotiAnswer
from apps_registry.zenoti_client import default_client

log = logging.getLogger(__name__)

CHECK_ACTION = "zenoti_key_check"
NOT_ZENOTI_KEY_MESSAGE = (
    "Keyport issued this key: Zenoti has never heard of it, so it is not checked there."
)
UNEXPECTED_MESSAGE = "The check failed unexpectedly; the server log has the details."
RESULT_FIELDS = [
    "zenoti_checked_at",
    "zenoti_result",
    "zenoti_message",
    "zenoti_code",
    "zenoti_passed_at",
    "zenoti_alerted_at",
]


@dataclass(frozen=True)
class KeyCheck:
    """What one check found, for a command line or an admin message (no secret)."""

    api_key_id: int
    label: str
    result: str
    text: str
    notified: bool = False

    @property
    def ok(self) -> bool:
        return self.result == ZenotiCheckResult.PASSED


@dataclass
class CheckReport:
    checks: list[KeyCheck] = field(default_factory=list)
    peak_in_flight: int = 0

    @property
    def failures(self) -> list[KeyCheck]:
        return [check for check in self.checks if not check.ok]


def label_of(key: ApiKey) -> str:
    return f"{key.application.name} / {key.prefix}"


def zenoti_key_call(key: ApiKey, *, interactive: bool = False) -> ZenotiAnswer:
    """Ask Zenoti about one key (no database access: safe on a pass's threads).

    ``interactive`` (someone waits on a page): a 429 is reported, not waited out.
    """
    application = key.application
    base_url = application.zenoti_base_url()
    account = f"{base_url}|{application.zenoti_account_name.strip().lower()}"
    return default_client().check_key(
        base_url=base_url, api_key=key.key, account=account, retries=0 if interactive else None
    )


@transaction.atomic
def zenoti_check_store(
    *, api_key_id: int, answer: ZenotiAnswer, actor: Actor, now: dt.datetime
) -> KeyCheck:
    """Write one verdict on the key; decides whether this refusal opens an incident."""
    key = (
        ApiKey.objects.select_for_update(of=("self",))
        .select_related("application__organization")
        .defer("key", "application__secret")
        .get(pk=api_key_id)
    )
    notify = False
    key.zenoti_checked_at = now
    key.zenoti_result = answer.result
    key.zenoti_message = answer.text[:500]
    key.zenoti_code = answer.code[:50]
    if answer.passed:
        key.zenoti_passed_at, key.zenoti_alerted_at = now, None
    elif answer.result == ZenotiCheckResult.REFUSED:
        notify = key.zenoti_passed_at is not None and key.zenoti_alerted_at is None
        if notify:
            key.zenoti_alerted_at = now
    key.full_clean(exclude=["key"], validate_unique=False, validate_constraints=False)
    key.save(update_fields=RESULT_FIELDS)
    audit_record(
        actor=actor,
        action=CHECK_ACTION,
        organization=key.application.organization,
        target=key,
        details={
            "result": answer.result,
            "code": answer.code,
            "status": answer.status,
            "message": key.zenoti_message,
        },
    )
    return KeyCheck(key.pk, label_of(key), answer.result, key.zenoti_message, notify)


def _finish(check: KeyCheck) -> KeyCheck:
    if check.notified:
        transaction.on_commit(lambda: zenoti_notifications.send_key_refused(check.api_key_id))
    return check


def zenoti_key_check(*, api_key: ApiKey, actor: Actor, now: dt.datetime | None = None) -> KeyCheck:
    """Check one Zenoti-issued key now and record the verdict on it."""
    key = ApiKey.objects.select_related("application__organization").get(pk=api_key.pk)
    if not key.application.issued_by_zenoti:
        raise KeyStateError(NOT_ZENOTI_KEY_MESSAGE)
    answer = zenoti_key_call(key, interactive=True)
    check = zenoti_check_store(
        api_key_id=key.pk, answer=answer, actor=actor, now=now or timezone.now()
    )
    return _finish(check)


def _load(ids: list[int]) -> tuple[list[ApiKey], list[KeyCheck]]:
    """All keys in one query; if one does not decrypt, fall back to one query per key."""
    query = ApiKey.objects.select_related("application__organization").order_by("pk")
    try:
        return list(query.filter(pk__in=ids)), []
    except SecretDecryptionError:
        loaded, broken = [], []
        for key_id in ids:
            try:
                loaded.append(query.get(pk=key_id))
            except SecretDecryptionError as exc:
                log.error("Zenoti key %s does not decrypt", key_id)
                broken.append(KeyCheck(key_id, f"key #{key_id}", UNREACHABLE, str(exc)))
        return loaded, broken


class _Gauge:
    """Counts calls in flight, to report the concurrency a pass really reached."""

    def __init__(self, *, interactive: bool) -> None:
        self.lock, self.now, self.peak = threading.Lock(), 0, 0
        self.interactive = interactive

    def call(self, key: ApiKey) -> ZenotiAnswer:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return zenoti_key_call(key, interactive=self.interactive)
        finally:
            with self.lock:
                self.now -= 1


def zenoti_keys_check_all(
    *,
    actor: Actor,
    application_ids: Sequence[str] = (),
    key_ids: Sequence[int] | None = None,
    now: dt.datetime | None = None,
    interactive: bool = False,
) -> CheckReport:
    """Check every usable Zenoti-issued key (of ``application_ids``, or ``key_ids``, if given).

    ``interactive`` for the admin button: a 429 is reported at once instead of waited out.
    """
    now = now or timezone.now()
    wanted = zenoti_keys_to_check(now=now, application_ids=application_ids)
    if key_ids is not None:
        wanted = wanted.filter(pk__in=list(key_ids))
    keys, broken = _load(list(wanted))
    report = CheckReport(checks=broken)
    gauge = _Gauge(interactive=interactive)
    workers = max(1, settings.ZENOTI_MAX_CONCURRENCY)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zenoti") as pool:
        futures = {pool.submit(gauge.call, key): key for key in keys}
        for future in as_completed(futures):
            key = futures[future]
            try:
                check = zenoti_check_store(
                    api_key_id=key.pk, answer=future.result(), actor=actor, now=now
                )
                report.checks.append(_finish(check))
            except Exception:
                log.exception("Zenoti check failed for key %s", key.pk)
                report.checks.append(
                    KeyCheck(key.pk, label_of(key), UNREACHABLE, UNEXPECTED_MESSAGE)
                )
    report.peak_in_flight = gauge.peak
    report.checks.sort(key=lambda check: check.label)
    log.info("Zenoti pass: %s keys, %s failed", len(report.checks), len(report.failures))
    return report
