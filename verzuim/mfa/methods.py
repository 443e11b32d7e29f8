"""Which second factors a user has, in the order to offer them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from verzuim.accounts.models import SecondFactor, User

LABELS = {
    SecondFactor.SMS: _("SMS code"),
    SecondFactor.TOTP: _("Authenticator app"),
    SecondFactor.WEBAUTHN: _("Security key"),
}
LOGIN_URL_NAMES = {
    SecondFactor.SMS: "mfa:sms",
    SecondFactor.TOTP: "mfa:totp",
    SecondFactor.WEBAUTHN: "mfa:webauthn",
}


#: Attribute of a user object that remembers the answers of ``has_method`` for one request.
#: Only set on the user of a pending login (``pending.get``), whose factors do not change
#: while they log in; everywhere else every call asks the database.
MEMO_ATTRIBUTE = "_second_factor_memo"


def has_method(user: User, method: str) -> bool:
    memo: dict[str, bool] | None = getattr(user, MEMO_ATTRIBUTE, None)
    if memo is not None and method in memo:
        return memo[method]
    result = _has_method(user, method)
    if memo is not None:
        memo[method] = result
    return result


def _has_method(user: User, method: str) -> bool:
    if not user.tenant.allows(method):
        return False
    if method == SecondFactor.SMS:
        return bool(user.phone)
    if method == SecondFactor.TOTP:
        return user.totp_devices.filter(confirmed_at__isnull=False).exists()
    if method == SecondFactor.WEBAUTHN:
        return user.webauthn_credentials.exists()
    return False


def available_methods(user: User) -> list[str]:
    """The user's usable methods, the default one first."""
    methods = [m for m in SecondFactor.values if has_method(user, m)]
    methods.sort(key=lambda m: m != user.preferred_method)
    return methods


def default_method(user: User) -> str | None:
    """The method to ask first; None when the tenant allows none the user has."""
    methods = available_methods(user)
    return methods[0] if methods else None


def login_url(method: str) -> str:
    return reverse(LOGIN_URL_NAMES[SecondFactor(method)])


def other_methods(user: User, current: str) -> list[dict[str, str]]:
    """For the "Inloggen mislukt?" menu: the user's methods other than the current one."""
    return [
        {"method": m, "label": str(LABELS[SecondFactor(m)]), "url": login_url(m)}
        for m in available_methods(user)
        if m != current
    ]


def factor_count(user: User) -> int:
    """Second factors the user could log in with: the phone, each app, each key."""
    count = int(has_method(user, SecondFactor.SMS))
    if user.tenant.allows(SecondFactor.TOTP):
        count += user.totp_devices.filter(confirmed_at__isnull=False).count()
    if user.tenant.allows(SecondFactor.WEBAUTHN):
        count += user.webauthn_credentials.count()
    return count


def can_remove_factor(user: User) -> bool:
    """The last second factor can never be removed."""
    return factor_count(user) > 1
