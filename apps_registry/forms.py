"""Admin forms: the Zenoti-style application form and list-valued fields in plain text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps_registry.models import ApiScope, Application, Organization
from apps_registry.models.applications import (
    APPLICATION_EDITABLE_FIELDS,
    APPLICATION_ID_TAKEN,
    ZENOTI_ACCOUNT_NAME_REQUIRED,
    ZENOTI_BASE_URL_HELP,
    AuthMethod,
    LoginUserType,
)
from apps_registry.models.keys import API_KEY_TAKEN
from apps_registry.selectors import api_key_taken, application_id_taken, grouped_scope_choices
from apps_registry.validators import (
    validate_api_base_url,
    validate_email_list,
    validate_lead_times,
    validate_plain_text,
)

SCOPES_REQUIRED = "Choose at least one API scope."
RECORD_NEEDS_ID_AND_SECRET = "Paste the Application ID and the secret Zenoti issued."  # noqa: S105
RECORD_KEY_NEEDS_EXPIRY = "Enter the date the pasted API key expires."
RECORD_EXPIRY_IN_PAST = "The API key's expiry date must be in the future."
LEAD_TIMES_NOT_NUMBERS = "Enter lead times as whole numbers separated by commas, such as 30, 7, 1."

AUTH_METHOD_HELP = (
    "API key groups: the scopes a service gets when it calls with this app's API key. "
    "JWT groups: the scopes of the access tokens users get by signing in through this app."
)
PASTE_AGAIN_MESSAGE = (
    "Paste the secret and the API key again: Keyport never sends a pasted secret back to the "
    "browser, so they were cleared when the form came back with the errors below."
)
PASTED_FIELDS = ("recorded_secret", "recorded_api_key")
REVEALABLE = {"data-reveal": "1", "autocomplete": "off"}  # application_form.js adds "Show"
GENERATE = "generate"
RECORD = "record"


def end_of_day(day: dt.date) -> dt.datetime:
    """A key's expiry date as the end of that day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value or "") if part]


class EmailListField(forms.CharField):
    """A list of emails typed one per line or separated by commas."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return _split(str(value or ""))

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        validate_email_list(value)


class LeadTimesField(forms.CharField):
    """Lead times in days, typed as ``30, 7, 1``; stored largest first."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        try:
            return [int(part) for part in _split(str(value or ""))]
        except ValueError as exc:
            raise ValidationError(LEAD_TIMES_NOT_NUMBERS, code="not_numbers") from exc

    def validate(self, value: Any) -> None:
        validate_lead_times(value)

    def clean(self, value: Any) -> list[int]:
        return sorted(super().clean(value), reverse=True)


class OrganizationForm(forms.ModelForm):
    expiry_alert_days = LeadTimesField(label="Alert lead times (days)", initial="30, 7, 1")
    alert_recipients = EmailListField(required=False, label="Alert recipients")

    class Meta:
        model = Organization
        fields = [
            "name",
            "slug",
            "members",
            "api_key_lifetime_days",
            "rotation_grace_days",
            "expiry_alert_days",
            "alert_recipients",
            "alerts_enabled",
            "app_contacts",
        ]


class ApplicationForm(forms.ModelForm):
    """Fields every application has; scopes appear as checkboxes grouped by API group."""

    scopes = forms.ModelMultipleChoiceField(
        queryset=ApiScope.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": SCOPES_REQUIRED},
    )
    uri = forms.URLField(
        label="URI",
        max_length=500,
        assume_scheme="https",
        help_text="Used to contact the developer.",
    )
    contact_emails = EmailListField(
        required=False, help_text="They receive expiry alerts for this app (one per line)."
    )
    zenoti_api_base_url = forms.URLField(
        label="Zenoti API base URL",
        max_length=300,
        required=False,
        assume_scheme="https",
        validators=[validate_api_base_url],
        help_text=ZENOTI_BASE_URL_HELP,
    )

    class Meta:
        model = Application
        fields = ["organization", *APPLICATION_EDITABLE_FIELDS, "scopes"]  # laid out by the admin
        widgets = {"login_user_type": forms.RadioSelect, "auth_method": forms.RadioSelect}
        help_texts = {"auth_method": AUTH_METHOD_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "scopes" in self.fields:
            self.fields["scopes"].choices = grouped_scope_choices()  # type: ignore[attr-defined]
        for name, choices in (
            ("login_user_type", LoginUserType.choices),
            ("auth_method", AuthMethod.choices),
        ):
            if name in self.fields:
                # Radio buttons for required choices need no empty "---------" option.
                self.fields[name].choices = choices  # type: ignore[attr-defined]
        account = self.fields.get("zenoti_account_name")
        if account is not None and self.instance.pk and self.instance.issued_by_zenoti:
            # Apps recorded before the field existed have none: the next edit asks for it.
            account.required = True
            account.error_messages["required"] = ZENOTI_ACCOUNT_NAME_REQUIRED


class ApplicationAddForm(ApplicationForm):
    """Adds the issuer choice: generate credentials here, or record the ones Zenoti issued."""

    credential_mode = forms.ChoiceField(
        label="Credentials",
        choices=[
            (GENERATE, "Generate credentials (issued by Keyport)"),
            (RECORD, "Record credentials Zenoti issued"),
        ],
        initial=GENERATE,
        widget=forms.RadioSelect,
    )
    recorded_application_id = forms.CharField(
        label="Application ID", required=False, max_length=100, validators=[validate_plain_text]
    )
    recorded_secret = forms.CharField(
        label="Secret",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs=REVEALABLE),
        validators=[validate_plain_text],
    )
    recorded_api_key = forms.CharField(
        label="API key",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs=REVEALABLE),
        validators=[validate_plain_text],
    )
    recorded_api_key_expires_on = forms.DateField(
        label="API key expires on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("credential_mode") != RECORD:
            return cleaned
        if not cleaned.get("recorded_application_id") or not cleaned.get("recorded_secret"):
            if self.has_error("recorded_application_id") or self.has_error("recorded_secret"):
                return cleaned
            raise ValidationError(RECORD_NEEDS_ID_AND_SECRET, code="record_incomplete")
        if application_id_taken(cleaned["recorded_application_id"]):
            self.add_error("recorded_application_id", APPLICATION_ID_TAKEN)
        if not (cleaned.get("zenoti_account_name") or "").strip():
            self.add_error("zenoti_account_name", ZENOTI_ACCOUNT_NAME_REQUIRED)
        expires_on: dt.date | None = cleaned.get("recorded_api_key_expires_on")
        if cleaned.get("recorded_api_key") and api_key_taken(cleaned["recorded_api_key"]):
            self.add_error("recorded_api_key", API_KEY_TAKEN)
        if cleaned.get("recorded_api_key"):
            if expires_on is None:
                self.add_error("recorded_api_key_expires_on", RECORD_KEY_NEEDS_EXPIRY)
            elif expires_on <= timezone.localdate():
                self.add_error("recorded_api_key_expires_on", RECORD_EXPIRY_IN_PAST)
        return cleaned

    def full_clean(self) -> None:
        """After every rule ran: say that pasted secrets must be pasted again."""
        super().full_clean()
        if not self.is_bound:
            return
        pasted = any(self.data.get(self.add_prefix(name)) for name in PASTED_FIELDS)
        if self.errors and pasted and self.data.get(self.add_prefix("credential_mode")) == RECORD:
            self.add_error(None, PASTE_AGAIN_MESSAGE)

    def recorded_key_expiry(self) -> dt.datetime | None:
        """The pasted key's expiry as the end of that day in the site's time zone."""
        expires_on = self.cleaned_data.get("recorded_api_key_expires_on")
        return None if expires_on is None else end_of_day(expires_on)
