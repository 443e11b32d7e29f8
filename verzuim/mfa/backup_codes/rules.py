"""Backup codes: ten random codes of ten characters, from an alphabet that is hard to misread."""

from __future__ import annotations

import secrets

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no i, l, o, 0, 1
CODE_LENGTH = 10
CODES_PER_SET = 10


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def generate_set(count: int = CODES_PER_SET) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(generate_code())
    return sorted(codes)


def normalise(raw: str) -> str:
    """What the user typed, without spaces or dashes, in lower case."""
    return "".join(ch for ch in (raw or "").lower() if ch not in " -\u00a0\t")


def looks_valid(raw: str) -> bool:
    code = normalise(raw)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def display(code: str) -> str:
    """Grouped for reading: ``abcd-efgh-jk``."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
