"""Helpers for export tests: users in the real role groups, and reading exports back."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import environ
from django.contrib.auth.models import Group, User

from tests.conftest import OPERATOR_PASSWORD


def user_in_role(username: str, role: str, organizations) -> User:
    user = User.objects.create_user(username=username, password=OPERATOR_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    for organization in organizations:
        organization.members.add(user)
    return user


def parse_env(text: str, tmp_path: Path) -> dict[str, str]:
    """Read an exported .env the way a deployment would: with django-environ."""
    env_file = tmp_path / "exported.env"
    env_file.write_text(text)
    names = [line.split("=", 1)[0] for line in text.splitlines() if "=" in line and line[0] != "#"]
    with mock.patch.dict(os.environ, {}, clear=False):
        environ.Env.read_env(str(env_file), overwrite=True)
        return {name: os.environ[name] for name in names}
