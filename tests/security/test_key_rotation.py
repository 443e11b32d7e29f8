"""A secret-key rotation (docs/security/key-management.md): with the old key in
DJANGO_SECRET_KEY_FALLBACKS, links and cookies signed before the rotation still verify;
without it they are dead. ASVS V11.1.1."""

from __future__ import annotations

import pytest
from django.core import signing

from verzuim.accounts.activation.tokens import Verdict
from verzuim.accounts.recovery.tokens import reset_token

OLD = "old-" + "k" * 60
NEW = "new-" + "n" * 60


@pytest.fixture
def signed_with_old_key(settings, hr_user):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    link = reset_token.make_token(hr_user)
    cookie = signing.dumps({"d": 1, "u": hr_user.pk}, salt="verzuim.rotation-test")
    settings.SECRET_KEY = NEW
    return link, cookie


def test_signatures_made_with_the_previous_key_verify_during_the_rotation(
    settings, hr_user, signed_with_old_key
):
    link, cookie = signed_with_old_key
    settings.SECRET_KEY_FALLBACKS = [OLD]
    assert reset_token.verdict(hr_user, link) is Verdict.VALID
    assert signing.loads(cookie, salt="verzuim.rotation-test")["u"] == hr_user.pk


def test_once_the_previous_key_is_dropped_they_are_refused(settings, hr_user, signed_with_old_key):
    link, cookie = signed_with_old_key
    settings.SECRET_KEY_FALLBACKS = []
    assert reset_token.verdict(hr_user, link) is Verdict.INVALID
    with pytest.raises(signing.BadSignature):
        signing.loads(cookie, salt="verzuim.rotation-test")


def test_the_fallbacks_come_from_the_environment(monkeypatch):
    from verzuim.core.env import env_list

    monkeypatch.setenv("DJANGO_SECRET_KEY_FALLBACKS", f"{OLD},{NEW}")
    assert env_list("DJANGO_SECRET_KEY_FALLBACKS", []) == [OLD, NEW]
