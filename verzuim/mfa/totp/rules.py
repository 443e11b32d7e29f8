"""Pure rules for authenticator apps (RFC 6238): secrets, the otpauth URI and code checking.

The one-time-password maths is pyotp's; this module decides which time steps count.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
from pyotp.utils import strings_equal

STEP_SECONDS = 30  # RFC 6238 default, what every common app uses
DIGITS = 6
SECRET_LENGTH = 32  # base32 characters: 32 x 5 = 160 bits, the HMAC-SHA-1 block RFC 4226 advises
WINDOW = 1  # steps accepted either side of now, for clock drift and slow typing
KEY_GROUP = 4


def new_secret() -> str:
    """A fresh random shared secret in base32 (pyotp draws from ``secrets``)."""
    return pyotp.random_base32(SECRET_LENGTH)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def provisioning_uri(secret: str, *, issuer: str, account: str) -> str:
    """The ``otpauth://totp/...`` URI that the QR code carries."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped_key(secret: str) -> str:
    """The secret in groups of four, easier to type: ``ABCD EFGH ...``."""
    return " ".join(secret[i : i + KEY_GROUP] for i in range(0, len(secret), KEY_GROUP))


def well_formed(code: str) -> bool:
    """Exactly six ASCII digits."""
    return len(code) == DIGITS and all("0" <= ch <= "9" for ch in code)


def matching_step(secret: str, code: str, now: datetime, last_used_step: int) -> int | None:
    """The time step whose code ``code`` is, if it may still be accepted; else None.

    Accepts the current step and one either side. A step at or before ``last_used_step``
    is refused, so each code (and any older one) is accepted once only.
    """
    if not well_formed(code):
        return None
    totp = _totp(secret)
    current = totp.timecode(now)
    found: int | None = None
    for offset in range(-WINDOW, WINDOW + 1):
        step = current + offset
        # Every candidate is compared (same work whatever matches); the earliest
        # acceptable step wins.
        matches = strings_equal(totp.at(now, counter_offset=offset), code)
        if matches and step > last_used_step and found is None:
            found = step
    return found
