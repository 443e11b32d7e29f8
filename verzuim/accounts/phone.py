"""Mobile numbers: parsed and checked with the ``phonenumbers`` library, stored as E.164."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "NL"
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_mobile(raw: str) -> str:
    """Return the number in E.164 (``+31612345678``) or raise ValidationError in Dutch."""
    try:
        number = phonenumbers.parse((raw or "").strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a mobile number, for example 06 12345678 or +31 6 12345678."),
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number does not exist."), code="invalid_phone")
    region = phonenumbers.region_code_for_number(number)
    if region not in settings.SMS_ALLOWED_REGIONS:
        raise ValidationError(
            _("Mobile numbers from this country cannot be used here. Contact support if you "
              "need this."),
            code="region_not_allowed",
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("This is not a mobile number. SMS codes can only be sent to a mobile number."),
            code="not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """Show the country code and the last two digits only: ``+31 •••••••78``."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    try:
        number = phonenumbers.parse(e164, None)
        country = str(number.country_code)
    except phonenumbers.NumberParseException:
        country = digits[:2]
    return f"+{country} " + "•" * max(len(digits) - len(country) - 2, 0) + digits[-2:]
