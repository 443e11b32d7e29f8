"""Authenticator-app secrets are stored sealed (encrypted and authenticated), so a copy of
the database or a backup alone does not give anyone a user's codes.

Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` library) under a key derived
with HKDF-SHA256 from ``SECRET_KEY``, which never lives in the database. During a key
rotation the previous keys (``SECRET_KEY_FALLBACKS``) still open what they sealed, and each
successful use re-seals under the current key (``manage.py reseal_totp_secrets`` does all at
once before a fallback is dropped). docs/security/key-management.md.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "f1:"


class SecretUnavailable(Exception):
    """The stored secret cannot be opened with the current or previous keys."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"verzuim.mfa.totp",
        info=b"authenticator app secret at rest",
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet(k) for k in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)])


def seal(plain: str) -> str:
    return PREFIX + _keys().encrypt(plain.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    if not sealed.startswith(PREFIX):
        raise SecretUnavailable("not sealed")
    try:
        return _keys().decrypt(sealed[len(PREFIX):].encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnavailable("no key opens it") from exc


def is_current(sealed: str) -> bool:
    """Sealed under the current SECRET_KEY (not only a fallback)?"""
    try:
        _fernet(settings.SECRET_KEY).decrypt(sealed[len(PREFIX):].encode("ascii"))
    except (InvalidToken, ValueError):
        return False
    return True
