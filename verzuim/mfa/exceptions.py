from __future__ import annotations


class SecondFactorError(Exception):
    pass


class CodeInvalid(SecondFactorError):
    """The code is wrong. ``remaining`` tries are left for this code (None: not limited)."""

    def __init__(self, remaining: int | None = None) -> None:
        super().__init__("invalid code")
        self.remaining = remaining


class CodeExpired(SecondFactorError):
    """The code is no longer valid (too old, used, or too many wrong tries): ask a new one."""


class CodeOutOfTime(SecondFactorError):
    """An app code of the step just before or after now: not accepted, and not counted as
    a wrong guess either; the user types the code the app shows now."""


class ResendTooSoon(SecondFactorError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = max(int(retry_after), 1)


class ResendLimitReached(SecondFactorError):
    """No more SMS messages for this login attempt."""
