"""The recovery forms: they validate and never write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from verzuim.accounts.activation.forms import InitialPasswordForm
from verzuim.core.forms import Form


class LoginNameRequestForm(Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The e-mail address your employer registered for your account."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PasswordResetRequestForm(Form):
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class NewPasswordForm(InitialPasswordForm):
    """New password twice, checked by Django's validators (up to 4096 characters)."""
