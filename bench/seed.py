"""Bulk seeding of organizations, applications and API keys for the benchmarks.

Rows go through ``bulk_create`` so values pass the model fields' ``get_db_prep_save``:
the ``secret`` and ``key`` columns hold real Fernet ciphertext, as in production.
Seeding tops up to a target count, so one database can grow 1k → 10k → 100k.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable
from typing import Any

ORGANIZATIONS = 100
BATCH = 5000
SUPERUSER = "bench"
SOURCE_APPS = ["external_cma", "external_webstore", "client_app", "bot"]


def one_or_two_keys(number: int) -> int:
    """Half the apps have one key, half have two (a rotation in progress)."""
    return 1 + number % 2


def two_keys(number: int) -> int:
    return 2


def superuser() -> Any:
    """The one superuser every bench acts as (sees every organization)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username=SUPERUSER).first()
    return user or user_model.objects.create_superuser(SUPERUSER, "bench@example.com", "bench")


def organizations(count: int = ORGANIZATIONS) -> list[Any]:
    """``count`` organizations, created once."""
    from apps_registry.models import Organization

    existing = Organization.objects.count()
    Organization.objects.bulk_create(
        Organization(name=f"Bench org {n:03d}", slug=f"bench-org-{n:03d}")
        for n in range(existing, count)
    )
    return list(Organization.objects.order_by("pk")[:count])


def _application(number: int, organization: Any, now: dt.datetime) -> Any:
    from apps_registry.models import Application

    return Application(
        organization=organization,
        name=f"App {number:06d}",
        uri=f"https://app-{number}.example.com/",
        description="Seeded by the benchmarks.",
        login_user_type="guest" if number % 3 else "employee",
        source_app=SOURCE_APPS[number % len(SOURCE_APPS)],
        application_id=str(uuid.uuid4()),
        secret=secrets.token_urlsafe(32),
        contact_emails=[f"dev{number}@example.com"],
        created_at=now,
        updated_at=now,
    )


def _keys(
    application: Any, number: int, count: int, now: dt.datetime, *, all_usable: bool
) -> list[Any]:
    """Keys expiring from 20 days ago to ~13 months ahead (every status occurs), or all
    in the future when ``all_usable`` (an export then carries every key)."""
    from apps_registry.models import ApiKey

    offset = -30 if all_usable else 20
    keys = []
    for index in range(count):
        prefix = f"kp_{number:08d}{index}"
        raw = f"{prefix}.{secrets.token_urlsafe(32)}"
        keys.append(
            ApiKey(
                application=application,
                prefix=prefix,
                key=raw,
                key_digest=hashlib.sha256(raw.encode()).hexdigest(),
                created_at=now,
                expires_at=now + dt.timedelta(days=(number * 7 + index * 200) % 420 - offset),
            )
        )
    return keys


def applications(
    target: int,
    *,
    keys_per_app: Callable[[int], int] = one_or_two_keys,
    all_usable: bool = False,
    scopes: int = 0,
    redirect_urls: int = 0,
) -> int:
    """Top up to ``target`` apps spread over the organizations; returns how many were added.

    ``scopes`` and ``redirect_urls`` give each app that many of each, as an export reads them.
    """
    from django.db import transaction
    from django.utils import timezone

    from apps_registry.models import ApiKey, ApiScope, Application, RedirectURL

    orgs = organizations()
    existing = Application.objects.count()
    now = timezone.now()
    scope_ids = list(ApiScope.objects.order_by("pk").values_list("pk", flat=True)[:scopes])
    through = Application.scopes.through
    for start in range(existing, target, BATCH):
        numbers = range(start, min(start + BATCH, target))
        with transaction.atomic():
            apps = Application.objects.bulk_create(
                _application(n, orgs[n % len(orgs)], now) for n in numbers
            )
            ApiKey.objects.bulk_create(
                key
                for n, app in zip(numbers, apps, strict=True)
                for key in _keys(app, n, keys_per_app(n), now, all_usable=all_usable)
            )
            through.objects.bulk_create(
                through(application_id=app.pk, apiscope_id=scope_id)
                for app in apps
                for scope_id in scope_ids
            )
            RedirectURL.objects.bulk_create(
                RedirectURL(
                    application=app, kind="post_login", url=f"https://app-{n}.example.com/cb/{i}"
                )
                for n, app in zip(numbers, apps, strict=True)
                for i in range(redirect_urls)
            )
    return max(0, target - existing)
