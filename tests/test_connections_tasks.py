"""Beat tasks (connections.tasks): registered schedule, and renewal through a real worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from apps_registry.actors import Actor
from apps_registry.plugins import PERIODIC_TASKS
from connections import services, tasks
from connections.apps import RENEW_TASK, VERIFY_TASK
from connections.models import ConnectionStatus, MindbodySiteConnection
from tests.fake_mindbody import SANDBOX
from tests.support_mindbody import API_KEY


def test_both_beat_entries_are_registered() -> None:
    by_task = {spec.task: spec for spec in PERIODIC_TASKS.values()}
    assert by_task[RENEW_TASK].crontab == {"minute": "17"}  # hourly
    assert by_task[VERIFY_TASK].crontab == {"minute": "43", "hour": "5"}  # daily
    assert tasks.renew_mindbody_tokens.name == RENEW_TASK
    assert tasks.verify_mindbody_connections.name == VERIFY_TASK


def _due_sites(organization, fake, count: int) -> list[MindbodySiteConnection]:
    sites = []
    for n in range(count):
        connection = services.mindbody_connection_create(
            organization=organization,
            name=f"Site {n}",
            site_id=SANDBOX,
            api_key=API_KEY,
            actor=Actor.system(),
        )
        expires = timezone.now() + dt.timedelta(hours=2)
        connection.staff_user_token = fake.seed_token(SANDBOX, expires=expires, renewals=6 + n)
        connection.token_expires_at = expires
        connection.token_renewals = 6 + n
        connection.status = ConnectionStatus.ACTIVE
        connection.save()
        sites.append(connection)
    return sites


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_hourly_renewal_runs_on_a_real_worker(
    celery_worker_on_redis, organization, fake_mindbody
) -> None:
    last_one, used_up = _due_sites(organization, fake_mindbody, 2)
    summary = tasks.renew_mindbody_tokens.apply_async(ignore_result=False).get(timeout=30)
    assert summary["connections"] == 2 and summary["succeeded"] == 1
    last_one.refresh_from_db()
    used_up.refresh_from_db()
    assert last_one.token_renewals == 7 and last_one.status == ConnectionStatus.ACTIVE
    assert used_up.status == ConnectionStatus.TOKEN_EXPIRED
    [email] = mail.outbox
    assert "Site 1" in email.subject and email.to == ["ops@serenity.test"]


def test_missing_redis_fails_in_ci_and_skips_elsewhere(monkeypatch) -> None:
    from tests import support_celery

    monkeypatch.setattr(support_celery, "REDIS_URL", "redis://127.0.0.1:1/2")
    monkeypatch.setattr(support_celery, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        support_celery.require_redis()
    monkeypatch.setattr(support_celery, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="start Redis"):
        support_celery.require_redis()
