"""Typed failures of the login; views turn each into a clear Dutch message."""

from __future__ import annotations


class LoginError(Exception):
    pass


class InvalidCredentials(LoginError):
    """Wrong login name or password (we never say which)."""


class AccountBlocked(LoginError):
    """The password was right, but the account is blocked."""


class TooManyAttempts(LoginError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = max(int(retry_after), 1)
        self.first_refusal = True
