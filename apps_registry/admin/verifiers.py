"""Verifier tokens in the admin: create (shown once), rotate and revoke behind confirmations.

The admin never writes a token itself: creation, rotation and revocation go through the
services (audited); the new plaintext travels only through ``show_once``. Tokens are not
deleted (revoke instead) so the audit trail keeps pointing at them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils import timezone

from apps_registry import services
from apps_registry.actors import Actor
from apps_registry.admin import verifier_views
from apps_registry.admin.last_use import last_use_short
from apps_registry.admin.scoping import OrganizationScopedAdmin
from apps_registry.models import VerifierToken
from apps_registry.services.verifiers import VERIFIER_EXPIRES_IN_PAST_MESSAGE

DETAIL_FIELDS = [
    "name",
    "organization",
    "prefix",
    "status_label",
    "expires_at",
    "last_used",
    "created_at",
    "created_by",
    "revoked_at",
    "replaced_by",
]


class VerifierTokenAddForm(forms.ModelForm):
    class Meta:
        model = VerifierToken
        fields = ["organization", "name", "expires_at"]

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(VERIFIER_EXPIRES_IN_PAST_MESSAGE)
        return expires_at


@admin.register(VerifierToken)
class VerifierTokenAdmin(OrganizationScopedAdmin):
    add_form = VerifierTokenAddForm
    list_display = [
        "name",
        "organization",
        "prefix",
        "status_label",
        "expires_at",
        "last_used",
        "created_at",
    ]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["organization"]
    change_form_template = "admin/apps_registry/verifiertoken/change_form.html"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "name", "expires_at"] if obj is None else DETAIL_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else DETAIL_FIELDS

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Status")
    def status_label(self, token: VerifierToken) -> str:
        return token.status().label

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used(self, token: VerifierToken) -> str:
        return last_use_short(token.last_used_at)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only after creation
        token, raw_token = services.verifier_token_create(
            organization=form.cleaned_data["organization"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data.get("expires_at"),
            actor=Actor.from_request(request),
        )
        verifier_views.stash_token(request, token, raw_token)
        obj.pk, obj.prefix, obj.created_at = token.pk, token.prefix, token.created_at
        obj._state.adding = False

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(
            reverse("admin:apps_registry_verifiertoken_shown", args=[obj.pk])
        )

    def get_urls(self) -> list[URLPattern]:
        return verifier_views.urls(self) + super().get_urls()
