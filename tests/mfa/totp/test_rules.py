"""Pure TOTP rules: secrets, the otpauth URI, the key for typing, and which codes count."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine

from verzuim.mfa.totp import rules

# RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", in base32.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
# (Unix time, time step, the RFC's 8-digit value); apps show its last 6 digits.
RFC_VECTORS = [
    (59, 1, "94287082"),
    (1111111109, 37037036, "07081804"),
    (1111111111, 37037037, "14050471"),
    (1234567890, 41152263, "89005924"),
    (2000000000, 66666666, "69279037"),
    (20000000000, 666666666, "65353130"),
]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2025, 3, 3, 9, 0, 10, tzinfo=UTC)
NOW_STEP = int(NOW.timestamp()) // 30


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def code(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


# --- secrets and provisioning -------------------------------------------------------------


def test_new_secret_is_160_random_bits_in_base32():
    secret = rules.new_secret()
    assert len(secret) == 32
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20
    assert len({rules.new_secret() for _ in range(50)}) == 50


def test_provisioning_uri_names_issuer_account_and_secret():
    uri = rules.provisioning_uri(SECRET, issuer="Arbodienst Demo", account="hanna.hr")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Arbodienst%20Demo:hanna.hr"
    query = parse_qs(parts.query)
    assert query == {"secret": [SECRET], "issuer": ["Arbodienst Demo"]}
    # The defaults (SHA-1, 6 digits, 30 s) are what every app assumes, so they are left out.
    parsed = pyotp.parse_uri(uri)
    assert (parsed.digits, parsed.interval, parsed.secret) == (6, 30, SECRET)
    assert parsed.issuer == "Arbodienst Demo" and parsed.name == "hanna.hr"


def test_provisioning_uri_escapes_odd_characters():
    uri = rules.provisioning_uri(SECRET, issuer="Arbo & Co: Noord", account="jan@voorbeeld.nl")
    parsed = pyotp.parse_uri(uri)
    assert parsed.issuer == "Arbo & Co: Noord" and parsed.name == "jan@voorbeeld.nl"


def test_key_is_grouped_in_fours_for_typing():
    assert rules.grouped_key(SECRET) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    assert rules.grouped_key("ABCDEF") == "ABCD EF"
    assert rules.grouped_key(rules.grouped_key(SECRET).replace(" ", "")) == rules.grouped_key(
        SECRET
    )


# --- the RFC 6238 values --------------------------------------------------------------------


@pytest.mark.parametrize(("unix_time", "step", "rfc_value"), RFC_VECTORS)
def test_rfc_6238_sha1_test_vectors(unix_time, step, rfc_value):
    assert rules.matching_step(RFC_SECRET, rfc_value[-6:], at(unix_time), 0) == step


@pytest.mark.parametrize(("unix_time", "step", "rfc_value"), RFC_VECTORS)
def test_rfc_values_are_refused_once_their_step_is_used(unix_time, step, rfc_value):
    assert rules.matching_step(RFC_SECRET, rfc_value[-6:], at(unix_time), step) is None


def test_frozen_clock_and_pyotp_agree():
    with time_machine.travel(NOW, tick=False):
        now = datetime.now(tz=UTC)
        assert rules.matching_step(SECRET, pyotp.TOTP(SECRET).now(), now, 0) == NOW_STEP


# --- the window: the current step only at login; neighbours recognised, accepted at set-up ---


@pytest.mark.parametrize("offset", [-1, 1])
def test_neighbouring_steps_are_recognised_but_not_accepted(offset):
    typed = code(SECRET, NOW + timedelta(seconds=30 * offset))
    assert rules.matching_step(SECRET, typed, NOW, 0) is None
    assert rules.near_miss(SECRET, typed, NOW, 0)
    assert rules.matching_step(SECRET, typed, NOW, 0, window=1) == NOW_STEP + offset


def test_the_current_step_is_accepted_and_no_near_miss():
    typed = code(SECRET, NOW)
    assert rules.matching_step(SECRET, typed, NOW, 0) == NOW_STEP
    assert not rules.near_miss(SECRET, typed, NOW, 0)


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_steps_further_away_are_refused(offset):
    typed = code(SECRET, NOW + timedelta(seconds=30 * offset))
    assert rules.matching_step(SECRET, typed, NOW, 0, window=1) is None
    assert not rules.near_miss(SECRET, typed, NOW, 0)


def test_window_edges_follow_step_boundaries():
    start = at(NOW_STEP * 30)  # first second of the step
    end = at(NOW_STEP * 30 + 29)  # last second of the same step
    current = code(SECRET, start)
    previous = code(SECRET, at((NOW_STEP - 1) * 30))
    assert rules.matching_step(SECRET, current, end, 0) == NOW_STEP
    assert rules.matching_step(SECRET, current, at(NOW_STEP * 30 + 30), 0) is None
    assert rules.matching_step(SECRET, previous, start, 0) is None
    assert rules.matching_step(SECRET, previous, at(NOW_STEP * 30 - 1), 0) == NOW_STEP - 1


def test_a_code_lives_at_most_thirty_seconds():
    """ASVS V6.5.5: accepted from the first to the last second of its own step only."""
    typed = code(SECRET, NOW)
    accepted = [
        seconds
        for seconds in range(-90, 91)
        if rules.matching_step(SECRET, typed, NOW + timedelta(seconds=seconds), 0) is not None
    ]
    # NOW is 10 s into its step: accepted from 10 s before to 19 s after.
    assert accepted == list(range(-10, 20))


# --- once only ------------------------------------------------------------------------------


def test_a_code_is_accepted_once_only():
    typed = code(SECRET, NOW)
    step = rules.matching_step(SECRET, typed, NOW, 0)
    assert step == NOW_STEP
    assert rules.matching_step(SECRET, typed, NOW, step) is None
    assert rules.matching_step(SECRET, typed, NOW + timedelta(seconds=30), step) is None


def test_an_older_code_is_refused_after_a_newer_step_was_used():
    previous = code(SECRET, NOW - timedelta(seconds=30))
    current = code(SECRET, NOW)
    used = rules.matching_step(SECRET, current, NOW, 0)
    assert used == NOW_STEP
    assert rules.matching_step(SECRET, previous, NOW, used, window=1) is None
    assert not rules.near_miss(SECRET, previous, NOW, used)  # a replay is a wrong guess
    # Without the record of the used step, the older code would still be inside the window.
    assert rules.matching_step(SECRET, previous, NOW, 0, window=1) == NOW_STEP - 1


def test_a_newer_code_is_accepted_after_an_older_step_was_used():
    used = rules.matching_step(
        SECRET, code(SECRET, NOW - timedelta(seconds=30)), NOW, 0, window=1
    )
    assert rules.matching_step(SECRET, code(SECRET, NOW), NOW, used) == NOW_STEP


def test_with_frozen_time_each_new_step_gives_one_new_code():
    last = 0
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(4):
            now = datetime.now(tz=UTC)
            typed = pyotp.TOTP(SECRET).now()
            step = rules.matching_step(SECRET, typed, now, last)
            assert step is not None and step > last
            assert rules.matching_step(SECRET, typed, now, step) is None
            last = step
            traveller.shift(30)
    assert last == NOW_STEP + 3


# --- what is not a code -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 345", "١٢٣٤٥٦", "12345\n"])
def test_malformed_codes_match_nothing(typed):
    assert rules.matching_step(SECRET, typed, NOW, 0) is None


def test_a_code_of_another_secret_is_refused():
    assert rules.matching_step(SECRET, code(RFC_SECRET, NOW), NOW, 0) is None


def test_a_code_outside_the_window_set_is_refused():
    window = {code(SECRET, NOW + timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in window)
    assert rules.matching_step(SECRET, wrong, NOW, 0) is None


def test_well_formed_means_six_ascii_digits():
    assert rules.well_formed("012345")
    assert not rules.well_formed("01234")
    assert not rules.well_formed("٠١٢٣٤٥")
