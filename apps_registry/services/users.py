"""Adding a person to Keyport in one step: a staff login, one shipped role, its organizations.

Django's own "Add user" page makes a superuser visit three screens (user, staff flag, groups)
and the organization pages before a new operator sees anything; forgetting one of them leaves
a login that opens an empty admin. This service does all of it in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apps_registry.actors import Actor
from apps_registry.audit import audit_record
from apps_registry.models import Organization
from apps_registry.roles import ROLES

UNKNOWN_ROLE_MESSAGE = "Choose one of the roles Keyport ships: {roles}."
NO_ORGANIZATION_MESSAGE = (
    "Choose at least one organization: a user sees only the organizations they belong to."
)


@sensitive_variables("password")
@transaction.atomic
def operator_create(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    organizations: Iterable[Organization],
    actor: Actor,
) -> User:
    """A staff user in the role's group and a member of ``organizations``; audited."""
    if role not in ROLES:
        raise ValueError(UNKNOWN_ROLE_MESSAGE.format(roles=", ".join(ROLES)))
    chosen = list(organizations)
    if not chosen:
        raise ValueError(NO_ORGANIZATION_MESSAGE)
    user = User(username=username, email=email, is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    for organization in chosen:
        organization.members.add(user)
        audit_record(
            actor=actor,
            action="user_create",
            organization=organization,
            target=user,
            details={"role": role, "organizations": [o.name for o in chosen]},
        )
    return user
