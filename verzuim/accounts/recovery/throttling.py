"""Throttle keys of the recovery forms, apart from the login counters.

Every request counts (nothing is ever given back): per client address and per e-mail
address or login name, known or not, so the waits reveal nothing about accounts. The keys
carry a ``recovery:`` prefix, so asking for a link never costs a login attempt.
"""

from __future__ import annotations

import hashlib
import unicodedata

from verzuim.accounts.models import Throttle
from verzuim.accounts.throttles import address_key, normalise_login_name

LOGIN_NAME, PASSWORD = "login-name", "password"


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _hashed(flow: str, tenant_id: int, value: str) -> str:
    return hashlib.sha256(f"recovery:{flow}:{tenant_id}:{value}".encode()).hexdigest()


def _address(flow: str, ip: str | None) -> tuple[str, str]:
    return (Throttle.Scope.ADDRESS, f"recovery:{flow}:{address_key(ip)}")


def login_name_keys(tenant_id: int, email: str, ip: str | None) -> list[tuple[str, str]]:
    return [
        (Throttle.Scope.ACCOUNT, _hashed(LOGIN_NAME, tenant_id, normalise_email(email))),
        _address(LOGIN_NAME, ip),
    ]


def password_keys(tenant_id: int, login_name: str, ip: str | None) -> list[tuple[str, str]]:
    return [
        (Throttle.Scope.ACCOUNT, _hashed(PASSWORD, tenant_id, normalise_login_name(login_name))),
        _address(PASSWORD, ip),
    ]
