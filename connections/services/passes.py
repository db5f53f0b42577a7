"""The hourly renewal pass and the daily verification pass over many connections.

Calls to Mindbody run on a thread pool of ``MINDBODY_MAX_CONCURRENCY`` threads that never
touch the database; each answer is written by the calling thread as it arrives, one short
transaction per connection; the calls they cost are added to the call budget once a second
and when the pass ends (one write, not one per connection). Any failure is caught per
connection, so one bad site (even one whose key no longer decrypts) never stops the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.conf import settings
from django.utils import timezone

from apps_registry.actors import Actor
from apps_registry.crypto import SecretDecryptionError
from connections import notifications, selectors
from connections.models import MindbodySiteConnection
from connections.services.budget import mindbody_calls_record
from connections.services.checks import VERIFY, verify_call, verify_record
from connections.services.common import Call, Notice, fresh
from connections.services.outcomes import UNEXPECTED_FAILURE_MESSAGE, Outcome, PassReport
from connections.services.tokens import RENEW, renew_call, renew_record

log = logging.getLogger(__name__)
CallFn = Callable[..., Call]
RecordFn = Callable[..., tuple[Outcome, Notice]]
COUNT_EVERY = 1.0  # seconds between additions to the call budget during a pass


class _Gauge:
    """Counts calls in flight, to report the concurrency a pass really achieved."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def run(self, call: CallFn, connection: MindbodySiteConnection, now: dt.datetime) -> Call:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return call(connection, now=now)
        finally:
            with self.lock:
                self.now -= 1


def _failed(connection_id: int, label: str, action: str, message: str) -> Outcome:
    return Outcome(connection_id, label, action, False, "", message)


def _load(ids: list[int], action: str) -> tuple[list[MindbodySiteConnection], list[Outcome]]:
    """All rows in one query; if one does not decrypt, fall back to one query per row."""
    query = MindbodySiteConnection.objects.select_related("organization")
    try:
        return list(query.filter(pk__in=ids)), []
    except SecretDecryptionError:
        loaded, broken = [], []
        for connection_id in ids:
            try:
                loaded.append(fresh(connection_id))
            except SecretDecryptionError as exc:
                log.error("Mindbody connection %s does not decrypt", connection_id)
                broken.append(_failed(connection_id, f"#{connection_id}", action, str(exc)))
        return loaded, broken


def _run(
    action: str,
    ids: Iterable[int],
    call: CallFn,
    record: RecordFn,
    *,
    actor: Actor,
    now: dt.datetime,
) -> PassReport:
    connections, broken = _load(list(ids), action)
    report = PassReport(action, outcomes=broken)
    gauge = _Gauge()
    workers = max(1, settings.MINDBODY_MAX_CONCURRENCY)
    flushed = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mindbody") as pool:
        futures = {pool.submit(gauge.run, call, c, now): c for c in connections}
        for future in as_completed(futures):
            connection = futures[future]
            try:
                outcome, notice = record(future.result(), actor=actor, now=now)
            except Exception:
                log.exception("Mindbody %s failed for connection %s", action, connection.pk)
                outcome, notice = (
                    _failed(connection.pk, str(connection), action, UNEXPECTED_FAILURE_MESSAGE),
                    None,
                )
            if time.monotonic() - flushed >= COUNT_EVERY:
                mindbody_calls_record()
                flushed = time.monotonic()
            if notice:
                notifications.send(notice, connection_id=connection.pk)
            report.outcomes.append(outcome)
    mindbody_calls_record()
    report.peak_in_flight = gauge.peak
    log.info("Mindbody %s pass: %s", action, report.summary())
    return report


def mindbody_tokens_renew_due(
    *, actor: Actor | None = None, now: dt.datetime | None = None
) -> PassReport:
    """Renew every token that lapses within 6 hours; dead ones become ``token_expired``."""
    now = now or timezone.now()
    ids = selectors.connections_due_for_renewal(now).values_list("pk", flat=True)
    return _run(RENEW, ids, renew_call, renew_record, actor=actor or Actor.system(), now=now)


def mindbody_connections_verify_all(
    *, actor: Actor | None = None, now: dt.datetime | None = None
) -> PassReport:
    """Check every connection's key and site, and every live token; emails on the first failure."""
    now = now or timezone.now()
    ids = selectors.connections_to_verify().values_list("pk", flat=True)
    return _run(VERIFY, ids, verify_call, verify_record, actor=actor or Actor.system(), now=now)
