"""Support-desk forms: they validate and never write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from verzuim.accounts.phone import normalise_mobile
from verzuim.audit.models import Event
from verzuim.core.forms import Form

REASON_MIN_LENGTH = 10


class SearchForm(Form):
    q = forms.CharField(
        label=_("Login name, name, e-mail address or mobile number"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REASON_MIN_LENGTH,
        max_length=500,
        help_text=_(
            "Required, at least 10 characters. Recorded in the audit log, e.g. how you "
            "checked the caller's identity."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Give a reason: it is recorded in the audit log."),
            "min_length": _("Describe the reason in at least %(limit_value)d characters."),
        },
    )


class PhoneResetForm(ReasonForm):
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=30,
        help_text=_(
            "For example 06 12345678. The user confirms it with an SMS code at the next login."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    field_order = ["phone", "reason"]

    def clean_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["phone"])


class ErrorLookupForm(Form):
    code = forms.CharField(
        label=_("Reference code"),
        max_length=30,
        help_text=_("As shown on the error page, e.g. K7QM-2XDA. Case and spaces do not matter."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AuditFilterForm(Form):
    user = forms.CharField(label=_("Login name"), max_length=150, required=False)
    event = forms.ChoiceField(label=_("Event"), required=False)
    date_from = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Period to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        assert isinstance(event, forms.ChoiceField)
        event.choices = [("", _("All events")), *Event.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data
