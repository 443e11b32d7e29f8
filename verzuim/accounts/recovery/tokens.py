"""Password reset links: the activation token machinery with its own salt and lifetime.

A token is bound to the user's primary key, password hash, ``last_login`` and e-mail
address. It dies once the password changes (single use), once the user logs in, and after
``settings.PASSWORD_RESET_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from verzuim.accounts.activation.tokens import (
    ActivationTokenGenerator,
    Verdict,
    _stamp,
    decode_uid,
    encode_uid,
)

__all__ = ["PasswordResetTokenGenerator", "Verdict", "decode_uid", "encode_uid", "reset_token"]


class PasswordResetTokenGenerator(ActivationTokenGenerator):
    key_salt = "verzuim.accounts.recovery.tokens.PasswordResetTokenGenerator"

    @property
    def timeout(self) -> int:
        return int(settings.PASSWORD_RESET_SECONDS)

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return (
            f"{user.pk}|{user.password}|{_stamp(user.last_login)}|{user.email}|"
            f"{user.is_active}|{timestamp}"
        )


reset_token = PasswordResetTokenGenerator()
