"""Fixtures for the security-key tests: software keys. The browser scenarios use the shared
browser fixtures of tests/browser_fixtures.py."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import pytest

from tests.mfa.webauthn.soft_key import SoftKey, b64
from verzuim.core.request import Origin
from verzuim.mfa.webauthn.actions import register_credential
from verzuim.mfa.webauthn.models import WebAuthnCredential

ORIGIN = "http://testserver"
RP_ID = "testserver"
AUDIT_ORIGIN = Origin(ip="192.0.2.10", user_agent="pytest")


def add_key(
    user: Any, key: SoftKey | None = None, name: str = "YubiKey", *, client: Any = None
) -> tuple[SoftKey, WebAuthnCredential]:
    """Register a software key for ``user`` through the real action.

    With ``client``, the key is registered from that client's session, which therefore stays
    logged in (a factor change ends every *other* session of the user).
    """
    key = key or SoftKey()
    challenge = os.urandom(32)
    response = key.register({"challenge": b64(challenge), "rp": {"id": RP_ID}}, ORIGIN)
    credential = register_credential(
        user,
        response,
        challenge,
        name=name,
        rp_id=RP_ID,
        origin=ORIGIN,
        audit_origin=AUDIT_ORIGIN if client is None else dataclasses.replace(
            AUDIT_ORIGIN, session_key=client.session.session_key
        ),
    )
    return key, credential


@pytest.fixture
def key_user(hr_user):
    """Hanna with one security key ("YubiKey"); ``key_user.soft_key`` signs for it."""
    hr_user.soft_key, hr_user.credential = add_key(hr_user)
    return hr_user
