"""Beat tasks (connections.tasks): registered schedule, and renewal through a real worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from apps_registry.plugins import PERIODIC_TASKS
from connections import notifications, tasks
from connections.apps import RENEW_TASK, VERIFY_TASK
from connections.models import ConnectionStatus, MindbodyCallDay, MindbodySiteConnection
from connections.services.checks import VERIFY
from connections.services.tokens import RENEW
from tests.factories import make_connection
from tests.fake_mindbody import SANDBOX, Fault
from tests.support_mindbody import API_KEY

WAIVER = "/public/v6/site/liabilitywaiver"  # the staff-only read that proves the token


def test_both_beat_entries_are_registered() -> None:
    by_task = {spec.task: spec for spec in PERIODIC_TASKS.values()}
    assert by_task[RENEW_TASK].crontab == {"minute": "17"}  # hourly
    assert by_task[VERIFY_TASK].crontab == {"minute": "43", "hour": "5"}  # daily
    assert tasks.renew_mindbody_tokens.name == RENEW_TASK
    assert tasks.verify_mindbody_connections.name == VERIFY_TASK


def _due_sites(organization, fake, count: int) -> list[MindbodySiteConnection]:
    sites = []
    for n in range(count):
        connection = make_connection(organization, name=f"Site {n}", api_key=API_KEY)
        expires = timezone.now() + dt.timedelta(hours=2)
        connection.staff_user_token = fake.seed_token(SANDBOX, expires=expires, renewals=6 + n)
        connection.token_expires_at = expires
        connection.token_renewals = 6 + n
        connection.status = ConnectionStatus.ACTIVE
        connection.save()
        sites.append(connection)
    return sites


@pytest.mark.django_db
def test_hourly_task_renews_what_is_due_and_emails_the_token_it_cannot_keep(
    organization, fake_mindbody
) -> None:
    last_one, used_up = _due_sites(organization, fake_mindbody, 2)
    summary = tasks.renew_mindbody_tokens.apply().get()
    assert (summary["action"], summary["connections"], summary["failed"]) == (RENEW, 2, 1)
    last_one.refresh_from_db()
    used_up.refresh_from_db()
    assert last_one.token_renewals == 7 and last_one.status == ConnectionStatus.ACTIVE
    assert used_up.status == ConnectionStatus.TOKEN_EXPIRED
    [email] = mail.outbox
    assert "Site 1" in email.subject and email.to == ["ops@serenity.test"]
    assert used_up.staff_user_token not in email.body


@pytest.mark.django_db
def test_daily_task_proves_each_site_answers_and_emails_the_one_that_stopped(
    organization, fake_mindbody
) -> None:
    healthy, down = _due_sites(organization, fake_mindbody, 2)
    body = b'{"Error": {"Message": "Site is down for maintenance.", "Code": "InternalException"}}'
    fake_mindbody.fail_next(WAIVER, Fault(400, body=body), token=down.staff_user_token)
    summary = tasks.verify_mindbody_connections.apply().get()
    assert (summary["action"], summary["connections"], summary["failed"]) == (VERIFY, 2, 1)
    healthy.refresh_from_db()
    down.refresh_from_db()
    assert healthy.status == ConnectionStatus.ACTIVE
    assert down.status == ConnectionStatus.FAILING
    assert "Site is down for maintenance." in down.last_error
    [email] = mail.outbox
    assert email.subject == notifications.SUBJECTS[notifications.FAILING].format(
        name="Site 1", site_id=SANDBOX
    )


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


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_hourly_renewal_on_a_real_worker_never_spends_a_renewal_twice(
    celery_worker_on_redis, organization, fake_mindbody
) -> None:
    [site] = _due_sites(organization, fake_mindbody, 1)
    fake_mindbody.fail_next("/public/v6/usertoken/renew", Fault(502, after_processing=True))
    summary = tasks.renew_mindbody_tokens.apply_async(ignore_result=False).get(timeout=30)
    assert summary["failed"] == 1
    assert len(fake_mindbody.requests_to("/public/v6/usertoken/renew")) == 1
    site.refresh_from_db()
    assert site.token_renewals == 7 == fake_mindbody.tokens[site.staff_user_token].renewals


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_daily_verification_runs_on_a_real_worker(
    celery_worker_on_redis, organization, fake_mindbody
) -> None:
    revoked, tokenless = _due_sites(organization, fake_mindbody, 2)
    fake_mindbody.revoke_at_mindbody(revoked.staff_user_token)
    MindbodySiteConnection.objects.filter(pk=tokenless.pk).update(
        staff_user_token="", token_expires_at=None, status=ConnectionStatus.PENDING
    )
    summary = tasks.verify_mindbody_connections.apply_async(ignore_result=False).get(timeout=30)
    assert summary["connections"] == 2 and summary["failed"] == 1
    revoked.refresh_from_db()
    tokenless.refresh_from_db()
    assert revoked.status == ConnectionStatus.TOKEN_EXPIRED
    assert tokenless.status == ConnectionStatus.PENDING and tokenless.location_count == 2
    [email] = mail.outbox
    assert "Site 0" in email.subject
    assert MindbodyCallDay.objects.get().calls == 3  # 2 + 1 reads, counted by the worker


def test_missing_redis_fails_in_ci_and_skips_elsewhere(monkeypatch) -> None:
    from tests import support_celery

    monkeypatch.setattr(support_celery, "REDIS_URL", "redis://127.0.0.1:1/2")
    monkeypatch.setattr(support_celery, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        support_celery.require_redis()
    monkeypatch.setattr(support_celery, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="start Redis"):
        support_celery.require_redis()
