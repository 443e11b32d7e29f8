"""Settings readers: clear errors for bad values, defaults when unset."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from verzuim.core.env import env_bool, env_int, env_list, env_str

NAME = "VERZUIM_TEST_VALUE"


@pytest.fixture(autouse=True)
def _unset(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)


def test_env_str(monkeypatch):
    assert env_str(NAME) == ""
    assert env_str(NAME, "fallback") == "fallback"
    monkeypatch.setenv(NAME, " value ")
    assert env_str(NAME, "fallback") == " value "


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_true(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off", ""])
def test_env_bool_false(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, True) is False


def test_env_bool_default():
    assert env_bool(NAME) is False
    assert env_bool(NAME, True) is True


@pytest.mark.parametrize("raw", ["2", "ja", "enabled", "truee"])
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be a boolean"):
        env_bool(NAME)


def test_env_int(monkeypatch):
    assert env_int(NAME, 7) == 7
    monkeypatch.setenv(NAME, "  ")
    assert env_int(NAME, 7) == 7
    monkeypatch.setenv(NAME, "42")
    assert env_int(NAME, 7) == 42
    monkeypatch.setenv(NAME, "-3")
    assert env_int(NAME, 7) == -3


@pytest.mark.parametrize("raw", ["4.5", "ten", "0x10", "1e3"])
def test_env_int_rejects_non_integers(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be a whole number"):
        env_int(NAME, 1)


def test_env_int_bounds(monkeypatch):
    monkeypatch.setenv(NAME, "5")
    assert env_int(NAME, 1, minimum=5, maximum=5) == 5
    with pytest.raises(ImproperlyConfigured, match="at least 6"):
        env_int(NAME, 1, minimum=6)
    with pytest.raises(ImproperlyConfigured, match="at most 4"):
        env_int(NAME, 1, maximum=4)


def test_env_list(monkeypatch):
    assert env_list(NAME) == []
    default = ["a"]
    result = env_list(NAME, default)
    result.append("b")
    assert default == ["a"]  # the caller's default is not shared
    monkeypatch.setenv(NAME, " demo.example , ,other.example,")
    assert env_list(NAME, default) == ["demo.example", "other.example"]
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, default) == []  # set but empty means: none
