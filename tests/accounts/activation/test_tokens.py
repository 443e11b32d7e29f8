"""The activation token: Django's generator with its own salt, state and lifetime."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone

from tests.factories import UserFactory
from verzuim.accounts.activation.tokens import (
    ActivationTokenGenerator,
    Verdict,
    activation_token,
    decode_uid,
    encode_uid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_user(tenant):
    user = UserFactory(tenant=tenant, activated_at=None, phone_verified_at=None)
    user.set_unusable_password()
    user.invitation_sent_at = timezone.now()
    user.save()
    return user


def test_a_fresh_token_is_valid(new_user):
    token = activation_token.make_token(new_user)
    assert activation_token.check_token(new_user, token)
    assert activation_token.verdict(new_user, token) is Verdict.VALID


def test_the_lifetime_is_the_activation_setting_not_the_reset_timeout(new_user, settings):
    settings.ACTIVATION_LINK_SECONDS = 7 * 24 * 3600
    settings.PASSWORD_RESET_TIMEOUT = 3600
    assert ActivationTokenGenerator().timeout == 7 * 24 * 3600
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = activation_token.make_token(new_user)
        traveller.shift(timedelta(days=6, hours=23))
        assert activation_token.verdict(new_user, token) is Verdict.VALID
        traveller.shift(timedelta(hours=1, seconds=1))
        assert activation_token.verdict(new_user, token) is Verdict.EXPIRED
        assert not activation_token.check_token(new_user, token)


def test_setting_the_password_kills_the_token(new_user):
    token = activation_token.make_token(new_user)
    new_user.set_password("Een lange zin als wachtwoord")
    new_user.save()
    assert activation_token.verdict(new_user, token) is Verdict.INVALID


def test_activation_kills_the_token(new_user):
    token = activation_token.make_token(new_user)
    new_user.activated_at = timezone.now()
    assert not activation_token.check_token(new_user, token)


def test_a_newer_invitation_kills_the_token(new_user):
    token = activation_token.make_token(new_user)
    new_user.invitation_sent_at += timedelta(seconds=1)
    assert not activation_token.check_token(new_user, token)


def test_a_token_survives_a_database_round_trip(new_user):
    token = activation_token.make_token(new_user)
    new_user.refresh_from_db()
    assert activation_token.check_token(new_user, token)


def test_a_token_is_bound_to_its_user(new_user, tenant):
    other = UserFactory(tenant=tenant, activated_at=None)
    assert not activation_token.check_token(other, activation_token.make_token(new_user))


def test_it_is_not_a_password_reset_token(new_user):
    """Own salt: a reset token is no activation token, and the other way round."""
    assert not activation_token.check_token(new_user, default_token_generator.make_token(new_user))
    assert not default_token_generator.check_token(new_user, activation_token.make_token(new_user))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # signature changed
        lambda t: "1" + t,  # timestamp changed
        lambda t: t.replace("-", ""),  # no separator
        lambda t: "zzzzzzzzzzzzzzzzz-" + t.split("-")[1],  # timestamp out of range
        lambda t: t + "-x",
        lambda t: "",
    ],
)
def test_tampered_tokens_are_refused(new_user, mangle):
    token = mangle(activation_token.make_token(new_user))
    assert activation_token.verdict(new_user, token) is Verdict.INVALID
    assert not activation_token.check_token(new_user, token)


def test_no_user_no_token(new_user):
    assert activation_token.verdict(None, "abc-def") is Verdict.INVALID
    assert not activation_token.check_token(new_user, None)


def test_a_token_made_with_an_old_secret_key_still_works(new_user, settings):
    token = activation_token.make_token(new_user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-rotation-0123456789-abcdefghij"
    assert activation_token.check_token(new_user, token)


def test_uid_encoding_round_trips_and_refuses_rubbish():
    assert decode_uid(encode_uid(42)) == 42
    assert decode_uid("!!!") is None
    assert decode_uid(encode_uid(7)[:-1] + "@") is None
    assert decode_uid("") is None
    assert decode_uid(encode_uid(10**30)) is None
    assert decode_uid(encode_uid(-5)) is None
