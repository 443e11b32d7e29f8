"""The pure rules of the security-key factor."""

from __future__ import annotations

import pytest

from verzuim.mfa.webauthn import rules


@pytest.mark.parametrize(
    ("created", "now", "fresh"),
    [
        (1000.0, 1000.0, True),
        (1000.0, 1000.0 + rules.CHALLENGE_SECONDS, True),
        (1000.0, 1000.0 + rules.CHALLENGE_SECONDS + 0.1, False),
        (1000.0, 999.0, False),  # from the future: refused
        (None, 1000.0, False),
        ("1000", 1000.0, False),
        (1000, 1001.0, True),
    ],
)
def test_challenge_fresh(created, now, fresh):
    assert rules.challenge_fresh(created, now) is fresh


@pytest.mark.parametrize(
    ("stored", "received", "ok"),
    [
        (0, 0, True),  # the key keeps no counter
        (0, 1, True),
        (5, 6, True),
        (5, 100, True),
        (5, 5, False),  # replay or clone
        (5, 4, False),
        (5, 0, False),  # a counter that went back to zero
    ],
)
def test_sign_count_must_grow(stored, received, ok):
    assert rules.sign_count_ok(stored, received) is ok


def test_clean_transports_keeps_known_values_once():
    class Enumish:
        value = "nfc"

    assert rules.clean_transports(["usb", "bogus", Enumish(), "usb", "hybrid"]) == [
        "usb",
        "nfc",
        "hybrid",
    ]
    assert rules.clean_transports(None) == []
