"""Reference codes: short, unambiguous when read aloud, forgiving when typed back."""

from __future__ import annotations

import re

import pytest

from verzuim.core.reference import ALPHABET, new_reference, normalise_reference

FORMAT = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")


def test_codes_have_the_documented_format():
    for _ in range(200):
        code = new_reference()
        assert FORMAT.match(code), code
        assert not set(code) & set("ILOU"), code  # letters that are misread or misheard


def test_alphabet_is_crockford_base32():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set(ALPHABET) & set("ILOU")


def test_codes_are_random_enough_not_to_repeat():
    codes = {new_reference() for _ in range(2000)}
    assert len(codes) == 2000


@pytest.mark.parametrize(("typed", "expected"), [
    ("K7QM-2XDA", "K7QM-2XDA"),
    ("k7qm-2xda", "K7QM-2XDA"),
    ("k7qm2xda", "K7QM-2XDA"),
    (" K7QM 2XDA ", "K7QM-2XDA"),
    ("K7QM - 2XDA", "K7QM-2XDA"),
    ("KOQM-2XDA", "K0QM-2XDA"),   # letter O read as zero
    ("KIQM-2XDA", "K1QM-2XDA"),   # I and L read as one
    ("KLQM-2XDA", "K1QM-2XDA"),
])
def test_normalise_accepts_what_people_type(typed, expected):
    assert normalise_reference(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "K7QM", "K7QM-2XDA-9", "K7QM-2XD", "K7QU-2XDA", "K7Q!-2XDA", "K7QM_2XDA",
])
def test_normalise_rejects_what_cannot_be_a_code(typed):
    assert normalise_reference(typed) is None


def test_normalise_tolerates_none():
    assert normalise_reference(None) is None  # type: ignore[arg-type]


def test_every_new_code_survives_normalisation():
    for _ in range(100):
        code = new_reference()
        assert normalise_reference(code.lower().replace("-", " ")) == code
