from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from verzuim.core.forms import Form
from verzuim.mfa.webauthn import rules


class KeyNameForm(Form):
    """The name a user gives a new key, so they can tell their keys apart. Never writes."""

    name = forms.CharField(
        label=_("Name of the key"),
        max_length=rules.NAME_MAX_LENGTH,
        help_text=_("So you can tell your keys apart, for example “Blue key” or “Spare key”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-webauthn-name": ""}),
        error_messages={"required": _("Give the key a name.")},
    )
