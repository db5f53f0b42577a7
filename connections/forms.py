"""Admin forms: add a site, rename it or replace its key, and the staff-token form.

Secret inputs are password fields that never render a value back, so a key, token or
password typed once is never sent to the browser again.
"""

from __future__ import annotations

from django import forms

from connections.models import MindbodySiteConnection, validate_api_key

API_KEY_HELP = "From the Mindbody developer portal (Account → API Credentials); shown there once."
SITE_ID_HELP = "-99 is Mindbody's shared sandbox; a live site's ID is a positive number."
REPLACE_KEY_HELP = (
    "Leave empty to keep the current key. Keyport checks a new key as soon as you save."
)
PASSWORD_HELP = "Used once to issue a 24-hour token; Keyport never stores it."  # noqa: S105


class SecretInput(forms.PasswordInput):
    def __init__(self) -> None:
        super().__init__(render_value=False, attrs={"autocomplete": "off"})


class ConnectionAddForm(forms.ModelForm):
    api_key = forms.CharField(
        label="API key", max_length=200, widget=SecretInput(), help_text=API_KEY_HELP
    )

    class Meta:
        model = MindbodySiteConnection
        fields = ["organization", "name", "site_id", "api_key"]
        help_texts = {"site_id": SITE_ID_HELP}


class ConnectionChangeForm(forms.ModelForm):
    replace_api_key = forms.CharField(
        label="Replace API key",
        required=False,
        max_length=200,
        widget=SecretInput(),
        help_text=REPLACE_KEY_HELP,
        validators=[validate_api_key],
    )

    class Meta:
        model = MindbodySiteConnection
        fields = ["name"]


class TokenIssueForm(forms.Form):
    username = forms.CharField(label="Staff username", max_length=150)
    password = forms.CharField(
        label="Staff password", strip=False, widget=SecretInput(), help_text=PASSWORD_HELP
    )
