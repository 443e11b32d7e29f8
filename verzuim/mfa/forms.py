from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from verzuim.core.forms import Form
from verzuim.mfa.backup_codes import rules as backup_rules
from verzuim.mfa.sms import rules as sms_rules


class OneTimeCodeInput(forms.TextInput):
    """A wrong one-time code is not shown again: the field is empty for the next try."""

    def format_value(self, value: object) -> None:
        return None


class ReauthPasswordForm(Form):
    """The first half of a re-authentication: the current password (ASVS V7.5.1)."""

    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class SmsCodeForm(Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        widget=OneTimeCodeInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": r"[0-9 \-]*",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = sms_rules.normalise_code(self.cleaned_data["code"])
        if not sms_rules.well_formed(code):
            raise ValidationError(_("The code has 6 digits."), code="format")
        return code


class TotpCodeForm(Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = sms_rules.normalise_code(self.cleaned_data["code"])
        if not sms_rules.well_formed(code):
            raise ValidationError(_("The code has 6 digits."), code="format")
        return code


class BackupCodeForm(Form):
    code = forms.CharField(
        label=_("Backup code"),
        max_length=30,
        help_text=_("One of the ten codes you saved, for example abcd-efgh-jk."),
        widget=OneTimeCodeInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = backup_rules.normalise(self.cleaned_data["code"])
        if len(code) != backup_rules.CODE_LENGTH:
            raise ValidationError(_("A backup code has 10 letters and digits."), code="format")
        return code


class ConfirmSavedForm(Form):
    saved = forms.BooleanField(label=_("I have saved these codes in a safe place"))
