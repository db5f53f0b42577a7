"""Users in the admin: a superuser adds an operator from one page, and sees their organizations.

The add page asks for everything a working login needs (username, email, password, one shipped
role, organizations) and calls ``operator_create``; the change page lists the user's
organization memberships. Only superusers manage users (``auth`` permissions are not part of
any shipped role).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest

from apps_registry.actors import Actor
from apps_registry.models import Organization
from apps_registry.roles import ROLES
from apps_registry.services.users import NO_ORGANIZATION_MESSAGE, operator_create

ROLE_HELP = (
    "Operator: registers apps, manages keys and Mindbody sites. Credential exporter: an "
    "Operator who may also export credentials. Auditor: reads everything, the audit log too; "
    "never a secret. Organization admin: an Operator who may also change the organization's "
    "settings (key lifetime, grace, alert lead times and recipients)."
)


class OperatorAddForm(UserCreationForm):
    """Username, email, password, role and organizations: all a new operator needs."""

    email = forms.EmailField(label="Email", help_text="Where Keyport can reach them.")
    role = forms.ChoiceField(choices=[(role, role) for role in ROLES], help_text=ROLE_HELP)
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_ORGANIZATION_MESSAGE},
        help_text="They see only these organizations' applications, keys and sites.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)


class MembershipInline(admin.TabularInline):
    model = Organization.members.through
    extra = 0
    verbose_name = "organization"
    verbose_name_plural = "Organizations (the user sees only these)"


admin.site.unregister(User)


@admin.register(User)
class KeyportUserAdmin(UserAdmin):
    add_form = OperatorAddForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "description": "Adds a staff login with one role. Staff status is set for you.",
                "fields": (
                    "username",
                    "email",
                    "password1",
                    "password2",
                    "role",
                    "organizations",
                ),
            },
        ),
    )
    list_display = ["username", "email", "roles", "member_of", "is_active", "is_superuser"]
    list_filter = ["groups", "is_active", "is_superuser", "organizations"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups", "organizations")

    @admin.display(description="Role")
    def roles(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "—"

    @admin.display(description="Organizations")
    def member_of(self, user: User) -> str:
        return ", ".join(o.name for o in user.organizations.all()) or "none"

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        return operator_create(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            role=data["role"],
            organizations=data["organizations"],
            actor=Actor.from_request(request),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:  # a new user was saved, with its role and organizations, by save_form
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
