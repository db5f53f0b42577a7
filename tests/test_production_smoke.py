"""The production topology, end to end, natively: what docker-compose runs, run here.

gunicorn (``serve.py web``: check --deploy, migrate, setup_periodic_tasks), a Celery worker and
Celery beat start as real processes with production settings against this machine's PostgreSQL
(a fresh database) and Redis (database 3, a queue of this run's own) and an aiosmtpd server.
Through the admin over HTTP, behind an emulated TLS proxy, an operator logs in, creates an
organization whose keys live 5 days (alert lead times 30, 7, 1), registers an app and generates
a key; beat's schedule (from the database) makes the worker scan and mail the digest. Commands
and healthchecks are read from docker-compose.yml. Under ``CI=true`` a missing PostgreSQL or
Redis fails this test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from apps_registry.apps import EXPIRY_SCAN_ENTRY
from apps_registry.checks import KEY_WRONG_MESSAGE
from tests.support_admin_http import AdminClient
from tests.support_compose import command, healthcheck
from tests.support_processes import Process, Processes
from tests.support_production import (
    FROM_EMAIL,
    SITE_URL,
    forget_queue,
    fresh_database,
    postgres_server,
    production_env,
    redis_url,
)
from tests.support_smtp import SmtpServer, free_port

pytestmark = pytest.mark.postgres_only

SCAN_EVERY_SECONDS = 2
CLIENT_IP = "203.0.113.50"
ADMIN_PASSWORD = secrets.token_urlsafe(16)
ORGANIZATION = "Smoke Spa"
ORG_RECIPIENT = "ops@smoke.test"
APP_CONTACT = "dev@smoke.test"
MANAGE = [sys.executable, "manage.py"]
SHOWN = r'data-testid="shown-{}">([^<]+)</code>'

# Beat's entry for the daily scan, switched to an interval so the test need not wait for 06:00.
FAST_SCAN = f"""
from django_celery_beat.models import IntervalSchedule, PeriodicTask
every, _ = IntervalSchedule.objects.get_or_create(every={SCAN_EVERY_SECONDS}, period="seconds")
PeriodicTask.objects.filter(name={EXPIRY_SCAN_ENTRY!r}).update(crontab=None, interval=every)
PeriodicTask.objects.get(name={EXPIRY_SCAN_ENTRY!r}).save()  # tells beat the schedule changed
"""
OUTCOME = """
import json
from apps_registry.models import AuditEvent, ExpiryAlert
print(json.dumps({
    "alerts": sorted(ExpiryAlert.objects.values_list("threshold_days", "status")),
    "generate_ip": list(AuditEvent.objects.filter(action="api_key_generate").values_list("ip", flat=True)),
}))
"""


def shown(page: str, label: str) -> str:
    found = re.search(SHOWN.format(label), page)
    assert found, f"the show-once page has no {label}"
    return found[1]


def register_app_and_key(admin: AdminClient, user_pk: str) -> dict[str, str]:
    """Organization (keys live 5 days), app and key, all through the admin forms."""
    location = admin.post(
        "/admin/apps_registry/organization/add/",
        {
            "name": ORGANIZATION,
            "slug": "smoke-spa",
            "members": [user_pk],
            "api_key_lifetime_days": "5",
            "rotation_grace_days": "7",
            "expiry_alert_days": "30, 7, 1",
            "alert_recipients": ORG_RECIPIENT,
            "alerts_enabled": "on",
            "app_contacts": "members",
            "_continue": "Save and continue editing",
        },
    )
    organization_pk = location.rstrip("/").split("/")[-2]
    add_url = "/admin/apps_registry/application/add/"
    hidden = admin.hidden_inputs(add_url)
    management = {k: v for k, v in hidden.items() if k.endswith("_FORMS") and "__prefix__" not in k}
    prefix = "post_login_urls"
    page = admin.get(add_url).text
    scopes = re.findall(r'name="scopes" value="(\d+)"', page)[:2]
    location = admin.post(
        add_url,
        {
            **management,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-url": "https://booking.smoke.test/callback",
            "organization": organization_pk,
            "name": "Smoke booking widget",
            "uri": "https://booking.smoke.test",
            "description": "Registered by the production smoke test.",
            "login_user_type": "guest",
            "source_app": "external_webstore",
            "auth_method": "api_key",
            "scopes": scopes,
            "contact_emails": APP_CONTACT,
            "is_active": "on",
            "credential_mode": "generate",
        },
    )
    app_pk = location.rstrip("/").split("/")[-2]
    assert location.endswith(f"/{app_pk}/credentials/"), location
    secret = shown(admin.get(location).text, "secret")
    location = admin.post(f"/admin/apps_registry/application/{app_pk}/keys/generate/", {})
    credentials = admin.get(location).text
    return {
        "secret": secret,
        "key": shown(credentials, "api-key"),
        "prefix": shown(credentials, "key-prefix"),
    }


def start_web(processes: Processes, base_url: str) -> None:
    """``serve.py web`` until its compose healthcheck passes; then plain HTTP is redirected to
    https (the proxy's job is TLS) while the health endpoints answer for the orchestrator."""
    processes.check([*MANAGE, "collectstatic", "--noinput"])  # the image's build step
    processes.start("web", command("web"))
    processes.wait_until("web healthy", lambda: processes.healthy(healthcheck("web")), 90)
    plain = requests.get(f"{base_url}/admin/login/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    assert requests.get(f"{base_url}/readyz", timeout=10).json()["status"] == "ok"
    proxied = {"X-Forwarded-Proto": "https"}
    login = requests.get(f"{base_url}/admin/login/", headers=proxied, timeout=10)
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    assert stylesheet, "the login page links no hashed (collected) stylesheet"
    static = requests.get(f"{base_url}{stylesheet[1]}", headers=proxied, timeout=10)
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]


def start_celery(processes: Processes, pidfile: Path) -> Process:
    """The scan on a fast interval, a stale pidfile naming a live process (what a container
    restart leaves), then the worker and beat commands."""
    processes.check([*MANAGE, "shell", "-c", FAST_SCAN])
    pidfile.write_text(f"{os.getpid()}\n")
    processes.start("worker", command("worker"))
    return processes.start("beat", command("beat"))


def create_admin(processes: Processes) -> None:
    """The way "Production deployment" in README.md creates the first admin, without a terminal."""
    processes.check(
        [*MANAGE, "createsuperuser", "--noinput"],
        env={
            **processes.env,
            "DJANGO_SUPERUSER_USERNAME": "admin",
            "DJANGO_SUPERUSER_EMAIL": "admin@smoke.test",
            "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
        },
    )


def operate(base_url: str) -> dict[str, str]:
    """Log in over HTTP (production cookies: Secure, HttpOnly), then register app and key."""
    admin = AdminClient(base_url, client_ip=CLIENT_IP)
    admin.log_in("admin", ADMIN_PASSWORD)
    session_cookie = next(h for h in admin.set_cookie_headers if h.startswith("sessionid="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    user_pk = re.search(
        r'<option value="(\d+)">admin</option>',
        admin.get("/admin/apps_registry/organization/add/").text,
    )
    assert user_pk, "the superuser is not offered as a member"
    return register_app_and_key(admin, user_pk[1])


def assert_one_digest_per_recipient(smtp: SmtpServer, created: dict[str, str]) -> None:
    mails = smtp.received
    assert sorted(r for m in mails for r in m.rcpt_tos) == [APP_CONTACT, ORG_RECIPIENT]
    for mail in mails:
        assert mail.message["Subject"] == "Smoke booking widget: API key expires in 5 days"
        assert mail.message["From"] == FROM_EMAIL
        body = mail.text + mail.html
        assert created["prefix"] in mail.text and created["prefix"] in mail.html
        assert created["key"] not in body and created["secret"] not in body
        assert f"{SITE_URL}/admin/apps_registry/application/" in mail.text


def assert_wrong_key_stops_web(processes: Processes) -> None:
    """The web command on this database with another encryption key exits before gunicorn."""
    wrong = {
        **processes.env,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "KEYPORT_WEB_BIND": f"127.0.0.1:{free_port()}",
    }
    refused = processes.run(command("web"), env=wrong, timeout=60)
    assert refused.returncode != 0 and KEY_WRONG_MESSAGE in refused.stderr
    assert "Starting gunicorn" not in refused.stdout + refused.stderr


def test_production_topology_end_to_end(tmp_path):
    server, broker = postgres_server(), redis_url()
    run = f"keyport-smoke-{secrets.token_hex(4)}"
    smtp = SmtpServer(free_port())
    web_port = free_port()
    base_url = f"http://127.0.0.1:{web_port}"
    pidfile = tmp_path / "celerybeat.pid"
    with fresh_database(server, run.replace("-", "_")) as database_url:
        env = production_env(
            database_url=database_url,
            broker_url=broker,
            run=run,
            smtp_port=smtp.port,
            web_port=web_port,
            pidfile=pidfile,
        )
        processes = Processes(env=env, log_dir=tmp_path)
        smtp.start()
        try:
            start_web(processes, base_url)
            create_admin(processes)
            beat = start_celery(processes, pidfile)
            created = operate(base_url)

            processes.wait_until(
                "worker healthy", lambda: processes.healthy(healthcheck("worker")), 60
            )
            processes.wait_until(
                "beat replaced the stale pidfile",
                lambda: pidfile.read_text().strip() == str(beat.popen.pid),
                30,
            )
            assert processes.healthy(healthcheck("beat"))

            processes.wait_until("the digests", lambda: len(smtp.received) >= 2, 60)
            time.sleep(SCAN_EVERY_SECONDS * 3)  # later scans by beat must not send them again
            assert_one_digest_per_recipient(smtp, created)
            printed = processes.check([*MANAGE, "shell", "-c", OUTCOME]).strip().splitlines()
            outcome = json.loads(printed[-1])  # Django's shell prints its auto-imports first
            assert outcome == {"alerts": [[7, "sent"], [30, "sent"]], "generate_ip": [CLIENT_IP]}

            assert_wrong_key_stops_web(processes)
        except AssertionError:
            print(processes.logs())  # pytest shows it with the failure
            raise
        finally:
            processes.stop_all()
            smtp.stop()
            forget_queue(broker, run)
