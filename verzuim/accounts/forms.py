from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from verzuim.accounts.activation.forms import InitialPasswordForm
from verzuim.accounts.phone import normalise_mobile
from verzuim.core.forms import Form


class LoginForm(Form):
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
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(InitialPasswordForm):
    """The new password twice (rules and checks shared with activation and reset), plus the
    current password."""

    current_password = forms.CharField(
        label=_("Current password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password1", "new_password2"]

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].help_text = _(
            "At least 8 characters. A long sentence you can remember works well; "
            "common passwords are refused."
        )

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError(_("Your current password is not correct."), code="wrong")
        return password


class PhoneChangeForm(Form):
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=30,
        help_text=_("For example 06 12345678, or +32 470 12 34 56 for a foreign number."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_phone(self) -> str:
        phone = normalise_mobile(self.cleaned_data["phone"])
        if phone == self.user.phone:
            raise ValidationError(_("This is already your mobile number."), code="same")
        return phone
