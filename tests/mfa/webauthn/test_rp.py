"""The relying party and its one-time challenges in the session."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from tests.factories import UserFactory
from verzuim.mfa.webauthn import rp, rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_for(tenant):
    def make(host="testserver", secure=False):
        request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
        request.session = SessionStore()
        request.tenant = tenant
        return request

    return make


def test_rp_id_is_the_host_without_port(request_for, settings):
    settings.ALLOWED_HOSTS = ["*"]
    request = request_for("Demo.Verzuim.test:8443", secure=True)
    assert rp.rp_id(request) == "demo.verzuim.test"
    assert rp.expected_origin(request) == "https://Demo.Verzuim.test:8443"
    assert rp.rp_name(request) == "Arbodienst Demo"


def test_rp_id_from_settings(request_for, settings):
    settings.WEBAUTHN_RP_ID = "verzuim.test"
    assert rp.rp_id(request_for()) == "verzuim.test"


def test_rp_name_without_tenant(request_for):
    request = request_for()
    request.tenant = None
    assert rp.rp_name(request) == "Verzuimportaal"


def test_a_challenge_is_taken_once(request_for, hr_user):
    request = request_for()
    challenge = rp.new_challenge(request, rp.LOGIN, hr_user, attempt="a1")
    assert len(challenge) >= 16
    assert rp.take_challenge(request, rp.LOGIN, hr_user, attempt="a1") == challenge
    assert rp.take_challenge(request, rp.LOGIN, hr_user, attempt="a1") is None
    assert rp.SESSION_KEY not in request.session


def test_one_challenge_per_ceremony(request_for, hr_user):
    request = request_for()
    login = rp.new_challenge(request, rp.LOGIN, hr_user)
    register = rp.new_challenge(request, rp.REGISTER, hr_user)
    newer = rp.new_challenge(request, rp.LOGIN, hr_user)
    assert newer != login
    assert rp.take_challenge(request, rp.LOGIN, hr_user) == newer
    assert rp.take_challenge(request, rp.REGISTER, hr_user) == register


def test_a_challenge_is_bound_to_user_and_attempt(request_for, hr_user):
    other = UserFactory(tenant=hr_user.tenant)
    request = request_for()
    rp.new_challenge(request, rp.LOGIN, hr_user, attempt="a1")
    assert rp.take_challenge(request, rp.LOGIN, other, attempt="a1") is None  # and it is gone
    rp.new_challenge(request, rp.LOGIN, hr_user, attempt="a1")
    assert rp.take_challenge(request, rp.LOGIN, hr_user, attempt="a2") is None


def test_an_old_challenge_is_refused(request_for, hr_user, time_machine):
    request = request_for()
    rp.new_challenge(request, rp.REAUTH, hr_user)
    time_machine.move_to(time.time() + rules.CHALLENGE_SECONDS + 1, tick=False)
    assert rp.take_challenge(request, rp.REAUTH, hr_user) is None


@pytest.mark.parametrize("entry", ["nonsense", {"user": None}, None])
def test_a_damaged_entry_is_refused(request_for, hr_user, entry):
    request = request_for()
    request.session[rp.SESSION_KEY] = {rp.LOGIN: entry}
    assert rp.take_challenge(request, rp.LOGIN, hr_user) is None


def test_a_damaged_challenge_is_refused(request_for, hr_user):
    request = request_for()
    rp.new_challenge(request, rp.LOGIN, hr_user)
    request.session[rp.SESSION_KEY][rp.LOGIN]["challenge"] = "a"  # not valid base64
    assert rp.take_challenge(request, rp.LOGIN, hr_user) is None
