"""Typed failures of the security-key factor; the views map each to a clear message.

Authentication failures use the shared ``CodeInvalid`` / ``CodeExpired`` of
``verzuim.mfa.exceptions`` so every second-step page treats them alike.
"""

from __future__ import annotations


class WebAuthnError(Exception):
    pass


class RegistrationRefused(WebAuthnError):
    """The browser's answer to the registration options did not verify."""


class KeyAlreadyRegistered(WebAuthnError):
    """This very credential is registered already."""


class KeyLimitReached(WebAuthnError):
    """The account has the maximum number of security keys."""


class LastFactorError(WebAuthnError):
    """Removing this key would leave the account without a second factor."""
