from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from verzuim.mfa.forms import TotpCodeForm
from verzuim.mfa.totp.actions import NAME_MAX_LENGTH


class TotpAddForm(TotpCodeForm):
    """The first code from the new app, and a name to tell apps apart."""

    name = forms.CharField(
        label=_("Name for this app"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("So you can recognise it later, for example “Work phone”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
