"""The form on the "Generate API key" page: a label and a lifetime up to the organization's.

A key for a week-long pilot should not live a year, and a key named "Production booking site"
is one an operator can find again; the page states the exact expiry before anything is made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from apps_registry.services.keys import LIFETIME_RANGE_MESSAGE


class GenerateKeyForm(forms.Form):
    label = forms.CharField(
        max_length=100,
        required=False,
        help_text="What the key is for, e.g. “Production booking site”. Shown in lists and "
        "expiry emails; not secret.",
    )

    def __init__(self, *args: Any, maximum_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = LIFETIME_RANGE_MESSAGE.format(maximum=maximum_days)
        self.fields["lifetime_days"] = forms.IntegerField(
            label="Lifetime (days)",
            required=False,  # blank: the organization's key lifetime
            min_value=1,
            max_value=maximum_days,
            initial=maximum_days,
            help_text=f"At most {maximum_days} days, the organization's key lifetime.",
            error_messages={"min_value": message, "max_value": message},
        )

    def expires_at(self, now: dt.datetime) -> dt.datetime:
        days = self.cleaned_data["lifetime_days"] or self.fields["lifetime_days"].initial
        return now + dt.timedelta(days=days)
