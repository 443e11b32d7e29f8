"""Shared pieces of the attacker's-view tests (enumeration, guessing bounds, logs).

Nothing here is a fixture: the test modules call these helpers, so each module states
plainly which set-up it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory
from verzuim.accounts import backends
from verzuim.accounts.hashers import OwaspArgon2idHasher
from verzuim.accounts.models import User

LOGIN = "/accounts/login/"
SMS_STEP = "/accounts/verify/sms/"
APP_STEP = "/accounts/verify/app/"
BACKUP_STEP = "/accounts/verify/backup-code/"
FORGOT_LOGIN_NAME = "/recover/login-name/"
FORGOT_PASSWORD = "/recover/password/"

# What changes from response to response without telling anything about accounts.
_NOISE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"),  # request reference codes
]


def visible_page(response, *typed: str) -> str:
    """The page as the attacker sees it, minus CSRF tokens, nonces and what they typed."""
    body = response.content.decode()
    for pattern in _NOISE:
        body = pattern.sub("", body)
    for value in typed:
        body = body.replace(value, "«typed»")
    return body


def cookie_shape(response) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The cookies a response sets: names and attributes, not the (random) values."""
    return sorted(
        (name, tuple(sorted((k, str(v)) for k, v in morsel.items() if k != "expires")))
        for name, morsel in response.cookies.items()
    )


def cheap_argon2(monkeypatch) -> None:
    """argon2id with the smallest parameters, for tests that verify hundreds of passwords.

    The same hasher class (so the ``hasher_calls`` fixture still counts every check) and the
    same code paths; only the cost parameters shrink. The cached dummy hash of the login
    backend is forgotten so unknown names are checked against a cheap hash too.
    """
    monkeypatch.setattr(OwaspArgon2idHasher, "time_cost", 1)
    monkeypatch.setattr(OwaspArgon2idHasher, "memory_cost", 8)
    monkeypatch.setattr(backends, "_dummy_hash", None)
    backends.dummy_hash()  # made now, so no request pays (or counts) its encoding


def wrong_six_digits(*right: str) -> str:
    """A six-digit code that is none of ``right``."""
    for n in range(10**6):
        candidate = f"{(123457 + n * 7919) % 10**6:06d}"
        if candidate not in right:
            return candidate
    raise AssertionError("unreachable")


def totp_window(secret: str) -> set[str]:
    """Every code the portal accepts right now (the current step and its neighbours)."""
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    return {totp.at(now, counter_offset=offset) for offset in (-1, 0, 1)}


@dataclass
class Accounts:
    """One account of each kind an attacker might probe, all with the same password."""

    active: User
    blocked: User
    deactivated: User
    foreign: User  # an active account of another tenant
    not_activated: User


def account_kinds(tenant, other_tenant) -> Accounts:
    not_activated = UserFactory(
        tenant=tenant,
        username="nog.niet",
        email="nog.niet@werkgever.example",
        activated_at=None,
        phone_verified_at=None,
    )
    not_activated.set_unusable_password()
    not_activated.save()
    return Accounts(
        active=UserFactory(tenant=tenant, username="actief", email="actief@werkgever.example"),
        blocked=UserFactory(
            tenant=tenant, username="geblokt", email="geblokt@werkgever.example", blocked=True
        ),
        deactivated=UserFactory(
            tenant=tenant, username="weg", email="weg@werkgever.example", is_active=False
        ),
        foreign=UserFactory(
            tenant=other_tenant, username="elders", email="elders@werkgever.example"
        ),
        not_activated=not_activated,
    )


def attacker(n: int = 1) -> Client:
    """A fresh browser (no cookies) at its own address."""
    return Client(REMOTE_ADDR=f"198.51.100.{n % 250 + 1}")
