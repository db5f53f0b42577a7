"""The application admin's parts: redirect-URL and key inlines, the expiry filter, and
deletion through the audited service (singly and in bulk).

Keys are listed by prefix, status and expiry only; the key itself is never rendered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from apps_registry.actors import Actor
from apps_registry.admin.last_use import last_use_short
from apps_registry.models import ApiKey, Application, RedirectURL
from apps_registry.models.applications import RedirectKind
from apps_registry.models.keys import EXPIRING_WITHIN_DAYS, expiring_horizon
from apps_registry.services.organizations import application_delete


def redirect_rows(formsets: Any) -> list[tuple[str, str]]:
    """The redirect URLs both lists hold after this submit (deleted rows left out)."""
    return [
        (formset.redirect_kind, row["url"])
        for formset in formsets
        if formset.model is RedirectURL
        for row in formset.cleaned_data
        if row and not row.get("DELETE")
    ]


DUPLICATE_REDIRECT_MESSAGE = "{url} is listed twice; enter each URL once."


class RedirectKindFormSet(BaseInlineFormSet):
    """One kind's redirect URLs (Zenoti's "click Add" list for post-login or post-logout)."""

    redirect_kind = ""

    @classmethod
    def get_default_prefix(cls) -> str:
        return f"{cls.redirect_kind}_urls"

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(kind=self.redirect_kind)

    def add_fields(self, form: Any, index: Any) -> None:
        super().add_fields(form, index)
        form.instance.kind = self.redirect_kind

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            url = (getattr(form, "cleaned_data", None) or {}).get("url")
            if not url or form.cleaned_data.get("DELETE"):
                continue
            if url in seen:
                raise ValidationError(DUPLICATE_REDIRECT_MESSAGE.format(url=url))
            seen.add(url)


class PostLoginFormSet(RedirectKindFormSet):
    redirect_kind = RedirectKind.POST_LOGIN


class PostLogoutFormSet(RedirectKindFormSet):
    redirect_kind = RedirectKind.POST_LOGOUT


def key_action_links(key: ApiKey) -> str:
    """Rotate and Revoke buttons for a key that still has them (none once revoked).

    A key Zenoti issued gets "Record replacement key" and "Mark as revoked" instead: Zenoti
    rotates its own keys, Keyport records the new one.
    """
    if key.revoked_at is not None:
        return ""
    base = ("admin:apps_registry_application_key", key.application_id, key.pk)
    zenoti = key.application.issued_by_zenoti
    revoke = "Mark as revoked" if zenoti else "Revoke"
    links = [(reverse(f"{base[0]}_revoke", args=base[1:]), revoke)]
    if key.replaced_by_id is None:
        replace, label = ("record_replacement", "Record replacement key")
        if not zenoti:
            replace, label = ("rotate", "Rotate")
        links.insert(0, (reverse(f"{base[0]}_{replace}", args=base[1:]), label))
    return format_html(
        " ".join('<a class="button" href="{}">{}</a>' for _ in links),
        *[part for link in links for part in link],
    )


class PostLoginRedirectInline(admin.TabularInline):
    model = RedirectURL
    formset: Any = PostLoginFormSet
    extra = 1
    fields = ["url"]
    verbose_name = "post-login redirect URL"
    verbose_name_plural = "Post-login redirect URLs (where users land after signing in)"


class PostLogoutRedirectInline(PostLoginRedirectInline):
    formset = PostLogoutFormSet
    verbose_name = "post-logout redirect URL"
    verbose_name_plural = "Post-logout redirect URLs (where users land after signing out)"


ZENOTI_CHECK_FIELDS = ("zenoti_checked_at", "zenoti_result", "zenoti_message")


KEY_LIST_CHANGED = (
    "The key list on this page was changed before it was sent. Reload the page; keys are "
    "generated, rotated and revoked with their own buttons."
)


class DisplayOnlyInlineFormSet(BaseInlineFormSet):
    """The key list is display-only: it is never bound to the request, so crafted
    ``api_keys-*`` rows cannot reach the status columns or change a key; rows that differ
    from what the page showed get a form error and nothing is saved."""

    def __init__(self, data: Any = None, files: Any = None, **kwargs: Any) -> None:
        super().__init__(None, None, **kwargs)
        self._changed_in_browser = data is not None and self._differs(data)

    def _differs(self, data: Any) -> bool:
        posted = [key for key in data if key.startswith(f"{self.prefix}-")]
        if not posted:
            return False  # a client that sends no key rows (tests, scripts) changes nothing
        ids = [str(pk) for pk in self.get_queryset().values_list("pk", flat=True)]
        count = str(len(ids))
        sent_ids = [data.get(f"{self.prefix}-{n}-id", "") for n in range(len(ids))]
        return (
            data.get(f"{self.prefix}-TOTAL_FORMS") != count
            or data.get(f"{self.prefix}-INITIAL_FORMS") != count
            or sent_ids != ids
            or any(key.endswith("-DELETE") for key in posted)
        )

    def is_valid(self) -> bool:
        return not self._changed_in_browser

    def non_form_errors(self) -> Any:
        errors = super().non_form_errors()
        return self.error_class([KEY_LIST_CHANGED]) if self._changed_in_browser else errors

    def has_changed(self) -> bool:
        return False

    def save(self, commit: bool = True) -> list[Any]:
        return []


class ApiKeyInline(admin.TabularInline):
    """Keys as prefix, status and expiry; the key itself is never rendered.

    A Zenoti-issued app's keys also show their last live check; their actions are "Record
    replacement key" and "Mark as revoked", never Rotate.
    """

    model = ApiKey
    formset = DisplayOnlyInlineFormSet
    fk_name = "application"
    extra = 0
    max_num = 0
    can_delete = False
    fields = (
        "prefix",
        "label",
        "status_label",
        "expires_at",
        "days_left",
        "last_used",
        "actions",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ApiKey]:
        return (
            super()
            .get_queryset(request)
            .select_related("application")
            .defer("key", "application__secret")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.issued_by_zenoti:
            return (*self.fields[:-1], *ZENOTI_CHECK_FIELDS, self.fields[-1])
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    @admin.display(description="Status")
    def status_label(self, key: ApiKey) -> str:
        return key.status().label

    @admin.display(description="Last used")
    def last_used(self, key: ApiKey) -> str:
        return last_use_short(key.last_used_at)

    @admin.display(description="Days left")
    def days_left(self, key: ApiKey) -> int | str:
        days = key.days_left()
        return "—" if days is None else days

    @admin.display(description="")
    def actions(self, key: ApiKey) -> str:
        return key_action_links(key)


class ExpiresWithinFilter(admin.SimpleListFilter):
    title = "key expiry"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("30d", f"Key expires within {EXPIRING_WITHIN_DAYS} days"),
            ("none", "No usable key"),
        ]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        if self.value() == "30d":
            return queryset.filter(next_expiry__lte=expiring_horizon(timezone.now()))
        if self.value() == "none":
            return queryset.filter(active_key_count=0)
        return queryset


class AuditedDeleteMixin:
    """The admin's delete page and "Delete selected" both go through ``application_delete``."""

    def delete_model(self, request: HttpRequest, obj: Application) -> None:
        application_delete(application=obj, actor=Actor.from_request(request))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():  # all of the selection or none of it
            for application in queryset:
                self.delete_model(request, application)
