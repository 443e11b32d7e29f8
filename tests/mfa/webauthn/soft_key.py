"""A software security key: real WebAuthn registration and authentication responses.

It answers the options our endpoints hand out exactly as a browser with a FIDO2 key would
(EC P-256 / ES256, "none" or "packed" self-attestation), so the server-side checks run
against genuine signatures. Knobs let a test forge the wrong origin, RP id or counter.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

FLAG_UP = 0x01  # user present (touched)
FLAG_UV = 0x04  # user verified (PIN or fingerprint)
FLAG_AT = 0x40  # attested credential data included
AAGUID = bytes.fromhex("2fc0579f811347eab116bb5a8db9202a")  # any 16 bytes will do


def b64(data: bytes) -> str:
    return bytes_to_base64url(data)


class SoftKey:
    def __init__(self, *, counter: bool = True, start_count: int = 0) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = counter
        self.sign_count = start_count if counter else 0

    @property
    def id(self) -> str:
        return b64(self.credential_id)

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def _sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))

    def register(
        self,
        options: dict[str, Any],
        origin: str,
        *,
        rp_id: str | None = None,
        challenge: str | None = None,
        fmt: str = "none",
        user_verified: bool = True,
    ) -> dict[str, Any]:
        """The answer of navigator.credentials.create() to ``options``."""
        client_data = self._client_data(
            "webauthn.create", challenge or options["challenge"], origin
        )
        flags = FLAG_UP | FLAG_AT | (FLAG_UV if user_verified else 0)
        auth_data = (
            hashlib.sha256((rp_id or options["rp"]["id"]).encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
            + AAGUID
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self.cose_public_key()
        )
        statement: dict[str, Any] = {}
        if fmt == "packed":  # self attestation: signed with the credential key itself
            statement = {
                "alg": -7,
                "sig": self._sign(auth_data + hashlib.sha256(client_data).digest()),
            }
        attestation = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["usb", "nfc"],
            },
        }

    def sign(
        self,
        options: dict[str, Any],
        origin: str,
        *,
        rp_id: str | None = None,
        challenge: str | None = None,
        sign_count: int | None = None,
        user_present: bool = True,
    ) -> dict[str, Any]:
        """The answer of navigator.credentials.get() to ``options``."""
        if sign_count is not None:
            self.sign_count = sign_count
        elif self.counter:
            self.sign_count += 1
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        flags = (FLAG_UP if user_present else 0) | FLAG_UV
        auth_data = (
            hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
        )
        signature = self._sign(auth_data + hashlib.sha256(client_data).digest())
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
            },
        }
