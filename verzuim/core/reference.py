"""Short reference codes that a user can read out to support (e.g. ``K7QM-2XDA``)."""

from __future__ import annotations

import contextvars
import re
import secrets

# Crockford's base32 alphabet: no I, L, O or U, so codes survive being read aloud.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")

current_reference: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_reference", default="-"
)


def new_reference() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_reference(value: str) -> str | None:
    """Turn user input (any case, spaces, O for 0 ...) into a stored code, or None."""
    cleaned = re.sub(r"[\s-]", "", value or "").upper()
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 8:
        return None
    code = f"{cleaned[:4]}-{cleaned[4:]}"
    return code if _PATTERN.match(code) else None
