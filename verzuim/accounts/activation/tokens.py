"""Activation links: Django's password-reset token machinery with its own salt and lifetime.

A token is bound to the user's password hash, ``activated_at`` and ``invitation_sent_at``:
it stops working once the password is set, once the account is activated, and as soon as a
newer invitation is sent. It also expires after ``settings.ACTIVATION_LINK_SECONDS``.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode


class Verdict(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"  # genuine, but older than the link lifetime
    INVALID = "invalid"  # tampered, used, or replaced by a newer invitation


def _stamp(value: Any) -> str:
    # In UTC with microseconds: two invitations sent within one second must still differ.
    # (Django drops microseconds for databases that lose them; ours keep them.)
    return "" if value is None else value.astimezone(UTC).isoformat()


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "verzuim.accounts.activation.tokens.ActivationTokenGenerator"

    @property
    def timeout(self) -> int:
        """Seconds a link stays valid (Django's own generator reads PASSWORD_RESET_TIMEOUT)."""
        return int(settings.ACTIVATION_LINK_SECONDS)

    def _now(self) -> datetime:
        # UTC, not local time: a change to or from summer time must not move the expiry.
        return datetime.now(UTC).replace(tzinfo=None)

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return (
            f"{user.pk}|{user.password}|{_stamp(user.activated_at)}|"
            f"{_stamp(user.invitation_sent_at)}|{user.email}|{timestamp}"
        )

    def verdict(self, user: Any, token: str) -> Verdict:
        """Check the signature with Django's own helpers, then the age against ``timeout``."""
        if not (user and token):
            return Verdict.INVALID
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return Verdict.INVALID
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return Verdict.INVALID
        if self._num_seconds(self._now()) - timestamp > self.timeout:
            return Verdict.EXPIRED
        return Verdict.VALID

    def check_token(self, user: Any, token: str | None) -> bool:  # type: ignore[override]
        return self.verdict(user, token or "") is Verdict.VALID


activation_token = ActivationTokenGenerator()


def encode_uid(pk: int) -> str:
    return urlsafe_base64_encode(force_bytes(pk))


def decode_uid(uidb64: str) -> int | None:
    try:
        uid = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    # A primary key is a positive 64-bit integer; anything else would upset the database.
    return uid if 0 < uid < 2**63 else None
