"""Pure rules for SMS codes: making, digesting, comparing, and when a resend is allowed."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from django.utils.crypto import salted_hmac

CODE_DIGITS = 6
MAX_SENDS_PER_LOGIN = 5
# Seconds to wait before the n-th resend (index 0: after the first SMS).
RESEND_WAITS = (30, 60, 120, 300)
# An SMS not handed to the provider this long after it was queued is reported to the user.
NOT_SENT_GRACE_SECONDS = 20


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_code(raw: str) -> str:
    """Accept '123 456' or '123-456' as typed or pasted; anything else stays as it is."""
    return "".join(ch for ch in (raw or "") if ch not in " -\u00a0\t")


def well_formed(code: str) -> bool:
    """Exactly six ASCII digits (other scripts' digits would pass str.isdigit)."""
    return len(code) == CODE_DIGITS and all("0" <= ch <= "9" for ch in code)


def digest(code: str, challenge_salt: str) -> str:
    """Keyed digest, so a copy of the database does not reveal live codes."""
    return salted_hmac(
        "verzuim.mfa.sms", f"{challenge_salt}:{code}", algorithm="sha256"
    ).hexdigest()


def matches(code: str, stored_digest: str, challenge_salt: str) -> bool:
    return hmac.compare_digest(digest(normalise_code(code), challenge_salt), stored_digest)


def resend_wait(sends_so_far: int) -> int:
    """Seconds between the previous SMS and the next one allowed."""
    if sends_so_far <= 0:
        return 0
    return RESEND_WAITS[min(sends_so_far - 1, len(RESEND_WAITS) - 1)]


def not_sent_yet(
    status: str, failed_tries: int, queued_at: datetime, now: datetime, *, failed: bool
) -> bool:
    """Should the code page say the SMS has not gone out? Yes when delivery gave up, when a
    try failed and a retry is waiting, or when it is still not sent after the grace time."""
    if status == "sent":
        return False
    if failed or failed_tries > 0:
        return True
    return now - queued_at > timedelta(seconds=NOT_SENT_GRACE_SECONDS)
