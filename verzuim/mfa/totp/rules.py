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
#: A login accepts the code of the current step only, so a code lives at most 30 seconds
#: (ASVS V6.5.5). The code of a neighbouring step is *recognised* (``near_miss``) so the user
#: is told to type the code the app shows now instead of being counted as a wrong guess.
#: Setting up an app still accepts a neighbouring step: the user is already logged in.
WINDOW = 1
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


def _matches(secret: str, code: str, now: datetime, last_used_step: int) -> dict[int, int]:
    """{offset: step} of the steps within WINDOW of now whose code ``code`` is and that were
    not used yet. Every candidate is compared, so the work is the same whatever matches."""
    if not well_formed(code):
        return {}
    totp = _totp(secret)
    current = totp.timecode(now)
    found: dict[int, int] = {}
    for offset in range(-WINDOW, WINDOW + 1):
        step = current + offset
        if strings_equal(totp.at(now, counter_offset=offset), code) and step > last_used_step:
            found[offset] = step
    return found


def matching_step(
    secret: str, code: str, now: datetime, last_used_step: int, *, window: int = 0
) -> int | None:
    """The time step whose code ``code`` is, if it may still be accepted; else None.

    Accepts the current step only (``window`` steps either side when setting up an app).
    A step at or before ``last_used_step`` is refused, so each code (and any older one) is
    accepted once only; the earliest acceptable step wins.
    """
    steps = [step for offset, step in _matches(secret, code, now, last_used_step).items()
             if abs(offset) <= window]
    return min(steps) if steps else None


def near_miss(secret: str, code: str, now: datetime, last_used_step: int) -> bool:
    """The unused code of the step just before or after now: the right app, typed a little
    too late (or with the phone's clock a little off); not a guess."""
    return any(offset != 0 for offset in _matches(secret, code, now, last_used_step))
