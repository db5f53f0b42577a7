"""docker-compose.yml, checked without Docker: services, images, commands, health, volumes, env.

Docker does not run where CI runs, so this file proves the topology is wired as documented and
``tests/test_production_smoke.py`` runs the very same commands natively.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.support_compose import (
    APP_SERVICES,
    ROOT,
    compose,
    compose_variables,
    documented_variables,
    env_example_values,
    service,
)

SETTINGS_READ = re.compile(r"env(?:\.[a-z_]+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
SERVE_READ = re.compile(r"(?:_setting|os\.environ\.get)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
# Production settings are base.py plus production.py; serve.py tunes the processes.
READERS = {
    "config/settings/base.py": SETTINGS_READ,
    "config/settings/production.py": SETTINGS_READ,
    "scripts/serve.py": SERVE_READ,
}


def test_the_services_of_the_topology():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat", "mailpit"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_web_worker_and_beat_run_one_image_and_the_shared_script(name):
    definition = service(name)
    assert definition["build"] == "." and definition["image"] == "keyport:latest"
    assert definition["env_file"] == ".env"
    assert definition["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert definition["command"] == ["python", "scripts/serve.py", name]
    assert definition["healthcheck"]["test"] == [
        "CMD",
        "python",
        "scripts/serve.py",
        "healthcheck",
        name,
    ]
    assert definition["restart"] == "unless-stopped" and definition["init"] is True


def test_the_image_starts_the_web_command_and_ships_collected_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["python", "scripts/serve.py", "web"]' in dockerfile
    assert "collectstatic --noinput" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".venv" in ignored, "secrets and the venv stay out of the image"


def test_exactly_one_beat_and_no_embedded_beat_elsewhere():
    assert service("beat")["deploy"]["replicas"] == 1
    serve = load_serve_source()
    assert '"beat"' in serve and "--beat" not in serve, "the worker must not embed a beat"
    for name, definition in compose()["services"].items():
        if name != "beat":
            assert "beat" not in " ".join(map(str, definition.get("command") or [])), name


def load_serve_source() -> str:
    return (ROOT / "scripts" / "serve.py").read_text()


def test_the_serve_script_removes_beats_stale_pidfile_and_uses_the_database_schedule():
    source = load_serve_source()
    assert "remove_stale_pidfile(beat_pidfile())" in source
    assert "django_celery_beat.schedulers:DatabaseScheduler" in source
    for step in ('"check", deploy=True', '"migrate"', '"setup_periodic_tasks"'):
        assert step in source, step


def test_images_are_pinned():
    images = {name: d["image"] for name, d in compose()["services"].items() if "build" not in d}
    assert images["postgres"].startswith("postgres:16")
    assert images["redis"].startswith("redis:7")
    assert images["mailpit"].startswith("axllent/mailpit:v")
    for name, image in images.items():
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin {image}"


def test_every_service_has_a_healthcheck():
    assert service("postgres")["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "pg_isready" in service("postgres")["healthcheck"]["test"][1]
    assert service("redis")["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert service("mailpit")["healthcheck"]["test"] == ["CMD", "/mailpit", "readyz"]
    for name, definition in compose()["services"].items():
        assert definition["healthcheck"]["interval"], name


def test_start_order_waits_for_health():
    web = service("web")["depends_on"]
    assert web == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("worker", "beat"):
        # web is healthy only once /readyz sees migrations applied: no task runs on an old schema.
        assert service(name)["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_data_lives_in_named_volumes():
    declared = set(compose()["volumes"])
    assert declared == {"postgres-data", "redis-data"}
    used = {
        mount.split(":", 1)[0]
        for definition in compose()["services"].values()
        for mount in definition.get("volumes", [])
    }
    assert used == declared
    assert "postgres-data:/var/lib/postgresql/data" in service("postgres")["volumes"]
    assert "redis-data:/data" in service("redis")["volumes"]


def test_ports_web_8000_and_mailpit_for_local_use():
    assert service("web")["ports"] == [
        "${KEYPORT_HTTP_ADDRESS:-127.0.0.1}:${KEYPORT_HTTP_PORT:-8000}:8000"
    ]
    mailpit = service("mailpit")
    assert mailpit["ports"] == ["127.0.0.1:${MAILPIT_UI_PORT:-8025}:8025"]
    assert mailpit["expose"] == ["1025"] and mailpit["profiles"] == ["mailcatcher"]
    values = env_example_values()
    assert values["EMAIL_URL"] == "smtp://mailpit:1025"
    assert "mailcatcher" in values["COMPOSE_PROFILES"].split(",")


def test_every_variable_the_compose_file_uses_is_documented():
    missing = compose_variables() - documented_variables()
    assert not missing, f"document these in .env.example: {sorted(missing)}"


@pytest.mark.parametrize("path", READERS)
def test_every_variable_production_reads_is_documented(path):
    read = set(READERS[path].findall((ROOT / path).read_text()))
    assert read, f"found no variables in {path}: has the way it reads them changed?"
    missing = read - documented_variables()
    assert not missing, f"{path} reads these; document them in .env.example: {sorted(missing)}"


def test_env_example_has_no_real_secret_and_one_database_password():
    values = env_example_values()
    for name in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEY", "POSTGRES_PASSWORD"):
        assert values[name] == "change-me", name
    database = urlsplit(values["DATABASE_URL"])
    assert database.hostname == "postgres" and database.username == values["POSTGRES_USER"]
    assert database.password == values["POSTGRES_PASSWORD"]
    assert database.path == f"/{values['POSTGRES_DB']}"
    assert urlsplit(values["CELERY_BROKER_URL"]).hostname == "redis"
