"""Organization scoping shared by every ModelAdmin: another organization's object is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import models
from django.http import Http404, HttpRequest

from apps_registry.selectors import organizations_for_user, scope_to_user


class OrganizationListFilter(admin.RelatedFieldListFilter):
    """ "By organization" lists only the user's organizations, never another tenant's name."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        ordering = self.field_admin_ordering(field, request, model_admin)
        choices = organizations_for_user(request.user)
        return [(o.pk, str(o)) for o in choices.order_by(*(ordering or ["name"]))]


def _in_some_organization(request: HttpRequest) -> bool:
    """Whether the user belongs to any organization, asked once per request."""
    cached: bool | None = getattr(request, "_keyport_in_some_organization", None)
    if cached is None:
        cached = organizations_for_user(request.user).exists()
        request._keyport_in_some_organization = cached  # type: ignore[attr-defined]
    return cached


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Filters the queryset, organization choices and filters to the user's memberships.

    ``organization_path`` is the lookup from the model to its ``Organization`` ("" for the
    organization model itself).
    """

    organization_path = "organization"

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [
            (entry, OrganizationListFilter) if entry == "organization" else entry
            for entry in super().get_list_filter(request)
        ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return scope_to_user(super().get_queryset(request), request.user, self.organization_path)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "organization":
            kwargs["queryset"] = organizations_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """No "Add" for a user in no organization: the form's Organization choice would be empty."""
        return super().has_add_permission(request) and _in_some_organization(request)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """No add/change/delete/view icons beside Organization: tenants are not edited here."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if db_field.name == "organization" and isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return formfield

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """Preselect the organization when the user belongs to exactly one."""
        initial = super().get_changeform_initial_data(request)
        organizations = list(organizations_for_user(request.user)[:2])
        if len(organizations) == 1:
            initial.setdefault("organization", str(organizations[0].pk))
        return initial

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        # Django redirects to the index with a message; a plain 404 reveals nothing.
        raise Http404("No such object in your organizations.")

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        # Django checks the delete permission before the object exists; answer 404 first so
        # a read-only admin (audit log) treats other organizations' objects like every page.
        self.get_scoped_object_or_404(request, unquote(object_id))
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self.get_scoped_object_or_404(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def get_scoped_object_or_404(self, request: HttpRequest, object_id: str) -> Any:
        """The object if the user's organizations contain it, else a 404."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such object in your organizations.")
        return obj
