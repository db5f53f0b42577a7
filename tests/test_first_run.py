"""A first run without dead ends: `/` and the favicon, the admin's sections, `make run`'s
address, its refusal of a taken port and the login box it prints once the server answers."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import run_local  # noqa: E402


def test_root_redirects_to_the_admin_and_the_favicon_exists(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302
    assert finders.find(icon["Location"].removeprefix("/static/")) is not None


def test_admin_pages_link_the_icon_and_hide_view_site(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()
    assert "favicon.svg" in page
    assert "View site" not in page


def test_superusers_see_third_party_models_under_one_system_section(
    admin_client: Client,
) -> None:
    app_list = admin_client.get("/admin/").context["app_list"]
    sections = [app["name"] for app in app_list]
    assert sections.count("System") == 1
    assert not {"Axes", "Periodic Tasks", "TOTP"} & set(sections)
    system = next(app for app in app_list if app["name"] == "System")
    names = {model["object_name"] for model in system["models"]}
    assert {"AccessAttempt", "PeriodicTask", "TOTPDevice"} <= names


def test_operators_never_see_the_system_section(operator_client: Client) -> None:
    app_list = operator_client.get("/admin/").context["app_list"]
    assert "System" not in [app["name"] for app in app_list]
    assert operator_client.get("/admin/axes/accessattempt/").status_code in {302, 403, 404}


def test_site_url_follows_keyport_address_unless_set() -> None:
    code = "from django.conf import settings; print(settings.SITE_URL)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "KEYPORT_IGNORE_ENV_FILE": "true",
        "DJANGO_SECRET_KEY": "x" * 50,
        "FIELD_ENCRYPTION_KEY": "DrQmraq76qz4NidNxlBFwPdwKNTUNTd-xoNtk4dJRko=",
        "KEYPORT_ADDRESS": "127.0.0.1:8123",
    }
    env.pop("SITE_URL", None)

    def site_url(**extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**env, **extra},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert site_url() == "http://127.0.0.1:8123"
    assert site_url(SITE_URL="https://keyport.example.com") == "https://keyport.example.com"


def test_make_run_refuses_a_taken_port_in_plain_words() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "run_local.py")],
            env={**os.environ, "KEYPORT_ADDRESS": address},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert result.stderr.strip() == run_local.PORT_TAKEN_MESSAGE.format(address=address)


@pytest.mark.parametrize("address", ["8000", "localhost:", "127.0.0.1:99999", "host:port"])
def test_a_malformed_address_is_named(address: str) -> None:
    with pytest.raises(ValueError, match="KEYPORT_ADDRESS must be host:port"):
        run_local.split_address(address)


def test_addresses_split_and_reach_locally() -> None:
    everywhere = "0.0.0.0"  # noqa: S104  (what a user may type, not a bind)
    assert run_local.split_address(f"{everywhere}:8080") == (everywhere, 8080)
    assert run_local.split_address("[::1]:8000") == ("::1", 8000)
    assert run_local.local_url(everywhere, 8080) == "http://127.0.0.1:8080"
    assert run_local.local_url("::1", 8000) == "http://[::1]:8000"


def test_the_login_box_repeats_the_first_password_and_later_the_reset_hint(db) -> None:
    first = io.StringIO()
    call_command("ensure_admin", stdout=first)
    box = run_local.login_box("http://127.0.0.1:8000", first.getvalue().splitlines())
    password = first.getvalue().split("password:")[1].split()[0]
    assert "http://127.0.0.1:8000/admin/" in box
    assert password in box
    assert "manage.py changepassword admin" in box
    widths = {len(line) for line in box.splitlines()}
    assert len(widths) == 1 and widths.pop() <= 80

    later = io.StringIO()
    call_command("ensure_admin", stdout=later)
    box = run_local.login_box("http://127.0.0.1:8000", later.getvalue().splitlines())
    assert "password:" not in box
    assert "admin user already exists (admin)" in box
    assert "manage.py changepassword admin" in box
