"""Pure rules of the security-key factor: challenge age, signature counters, transports."""

from __future__ import annotations

from collections.abc import Iterable

from webauthn.helpers.cose import COSEAlgorithmIdentifier

# A challenge is valid this long after the options were handed out (single use in any case).
CHALLENGE_SECONDS = 300
# What the browser is told: how long it may wait for the user to touch the key.
CEREMONY_TIMEOUT_MS = 120_000
# More keys than this per account are refused (a spare or two is normal; hundreds are not).
MAX_KEYS = 10
NAME_MAX_LENGTH = 60
#: Key algorithms a security key may use: elliptic curves only, each at least 128-bit strong
#: (ASVS V11.2.3). RSA (RS256 and the like, typically 2048-bit, about 112 bits) is refused;
#: every FIDO2 security key offers ES256, and most EdDSA too.
SUPPORTED_ALGORITHMS = (
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.ECDSA_SHA_512,
)
KNOWN_TRANSPORTS = frozenset({"usb", "nfc", "ble", "smart-card", "internal", "cable", "hybrid"})


def challenge_fresh(created_at: float | None, now: float, max_age: int = CHALLENGE_SECONDS) -> bool:
    """A stored challenge may be used when it is at most ``max_age`` seconds old."""
    if not isinstance(created_at, int | float):
        return False
    return 0 <= now - created_at <= max_age


def sign_count_ok(stored: int, received: int) -> bool:
    """The authenticator's signature counter must grow with every use.

    Both zero means the authenticator keeps no counter (allowed by WebAuthn; many passkeys
    do this). Any other counter that does not increase is how a cloned key shows itself.
    """
    if stored == 0 and received == 0:
        return True
    return received > stored


def clean_transports(values: Iterable[object] | None) -> list[str]:
    """The transports the browser reported, known values only, in order, without repeats."""
    seen: list[str] = []
    for value in values or ():
        text = str(getattr(value, "value", value))
        if text in KNOWN_TRANSPORTS and text not in seen:
            seen.append(text)
    return seen
