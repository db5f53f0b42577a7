"""The form behind "Record key" and "Record replacement key" (keys Zenoti issued).

Zenoti keys are valid for a year, so the expiry defaults to one year from today; the key is
a password field that never renders a value back.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps_registry.forms import end_of_day

ZENOTI_KEY_LIFETIME_DAYS = 365
RECORD_KEY_MISSING = "Paste the API key Zenoti issued."
RECORD_KEY_EXPIRY_PAST = "The key's expiry date must be in the future."


def default_expiry() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=ZENOTI_KEY_LIFETIME_DAYS)


class RecordKeyForm(forms.Form):
    api_key = forms.CharField(
        label="API key",
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        error_messages={"required": RECORD_KEY_MISSING},
        help_text="The key Zenoti showed once (Configuration → Apps → Credentials).",
    )
    expires_on = forms.DateField(
        label="Expires on",
        initial=default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Zenoti keys are valid for one year from the day Zenoti issued them.",
    )

    def clean_expires_on(self) -> dt.date:
        expires_on: dt.date = self.cleaned_data["expires_on"]
        if expires_on <= timezone.localdate():
            raise ValidationError(RECORD_KEY_EXPIRY_PAST, code="expiry_in_past")
        return expires_on

    def expires_at(self) -> dt.datetime:
        return end_of_day(self.cleaned_data["expires_on"])

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal (duplicate key, expiry) on the key field."""
        self.add_error("api_key", error)
