"""Who is acting, recorded on every audit row: a user from a request, the CLI, or the system."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from plumbing.client_ip import client_ip

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Actor:
    """The user (if any), a label for the audit log, and the client IP (if any)."""

    user: User | None
    label: str
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        """The logged-in user and ``REMOTE_ADDR`` (the proxy sets it; see the README)."""
        user: Any = request.user
        authenticated = user if user.is_authenticated else None
        label = authenticated.get_username() if authenticated else "anonymous"
        return cls(user=authenticated, label=label, ip=client_ip(request))

    @classmethod
    def for_user(cls, user: User, ip: str | None = None) -> Actor:
        return cls(user=user, label=user.get_username(), ip=ip)

    @classmethod
    def cli(cls) -> Actor:
        """Management commands act as ``cli:<os user>``."""
        return cls(user=None, label=f"cli:{getpass.getuser()}")

    @classmethod
    def system(cls) -> Actor:
        """Celery tasks and other unattended work."""
        return cls(user=None, label="system")
