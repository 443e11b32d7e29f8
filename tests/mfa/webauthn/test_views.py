"""The security-key pages and JSON endpoints, driven with genuine WebAuthn responses."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client

from tests.conftest import confirm_password
from tests.mfa.webauthn.conftest import ORIGIN, add_key
from tests.mfa.webauthn.soft_key import SoftKey, b64
from verzuim.accounts.models import TrustedDevice
from verzuim.audit.models import AuditEvent, Event
from verzuim.mfa.trust import COOKIE
from verzuim.mfa.webauthn import rp, rules
from verzuim.mfa.webauthn.models import WebAuthnCredential

pytestmark = pytest.mark.django_db

KEY_PAGE = "/accounts/verify/key/"
AUTH_OPTIONS = "/accounts/verify/key/options/"
AUTH_VERIFY = "/accounts/verify/key/verify/"
ADD = "/accounts/verify/key/add/"
REGISTER_OPTIONS = "/accounts/verify/key/add/options/"
REGISTER_VERIFY = "/accounts/verify/key/add/verify/"
SECURITY = "/settings/security/"


def post_json(client, url, data=None, **extra):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json", **extra)


def sign_in_with_key(client, user, key, *, purpose="login", url=AUTH_VERIFY, **extra):
    options = post_json(client, AUTH_OPTIONS, {"purpose": purpose})
    assert options.status_code == 200, options.content
    response = key.sign(options.json(), ORIGIN)
    return post_json(client, url, {"purpose": purpose, "credential": response, **extra})


@pytest.fixture
def key_login(client, key_user, login_password_step):
    """Hanna, with a key as her default method, past the password step."""
    key_user.preferred_method = "webauthn"
    key_user.save()
    response = login_password_step(key_user)
    assert response.status_code == 302 and response["Location"] == KEY_PAGE
    return key_user


def make_stale(client):
    session = client.session
    session["mfa_at"] = 0
    session.save()


# --- the login step page ----------------------------------------------------------------------


def test_key_page_needs_a_pending_login(client, tenant):
    response = client.get(KEY_PAGE)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_key_page_explains_and_offers_the_button_and_other_ways(client, key_login):
    response = client.get(KEY_PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Insert your security key and touch it." in body
    assert 'data-webauthn="authenticate"' in body and 'data-purpose="login"' in body
    assert 'data-options-url="/accounts/verify/key/options/"' in body
    assert 'data-verify-url="/accounts/verify/key/verify/"' in body
    assert re.search(r"<div data-webauthn-controls hidden>\s*<button[^>]*data-webauthn-start", body)
    assert 'name="csrfmiddlewaretoken"' in body
    assert '<script src="/static/js/webauthn.js" defer></script>' in body
    assert "<noscript>" in body and "JavaScript" in body
    assert 'id="login-failed"' in body  # the "Login failed?" menu
    assert 'aria-live="assertive"' in body
    # CSP: no inline script or style, no event-handler attributes
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert not re.search(r"\son[a-z]+=", body)
    assert " style=" not in body
    # texts for the script come from the template, translated
    assert "data-msg-cancelled=" in body and "data-msg-unsupported=" in body


def test_key_page_without_a_key_goes_to_the_default_method(client, hr_user, login_password_step):
    login_password_step(hr_user)
    response = client.get(KEY_PAGE)
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/sms/"


def test_sms_page_offers_the_key_in_the_failed_menu(client, key_user, login_password_step):
    login_password_step(key_user)
    body = client.get("/accounts/verify/sms/").content.decode()
    assert f'href="{KEY_PAGE}"' in body


def test_static_script_is_served(client, tenant):
    response = client.get("/static/js/webauthn.js")
    assert response.status_code == 200
    script = b"".join(response.streaming_content).decode()
    assert "navigator.credentials.get" in script and "X-CSRFToken" in script


# --- logging in with the key ------------------------------------------------------------------


def test_login_with_the_key(client, key_login):
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"})
    assert options.status_code == 200
    data = options.json()
    assert data["rpId"] == "testserver"
    assert data["userVerification"] == "preferred"
    assert data["allowCredentials"] == [
        {"id": key_login.soft_key.id, "type": "public-key", "transports": ["usb", "nfc"]}
    ]

    response = post_json(
        client,
        AUTH_VERIFY,
        {
            "purpose": "login",
            "credential": key_login.soft_key.sign(data, ORIGIN),
        },
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": "/"}
    assert client.get("/").status_code == 200
    assert client.session["mfa_method"] == "webauthn"
    login = AuditEvent.objects.get(event=Event.LOGIN_SUCCEEDED)
    assert login.data == {"method": "webauthn"}
    assert AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK, data__method="webauthn").exists()
    assert COOKIE not in response.cookies  # trusting browsers is off for this tenant


def test_login_keeps_the_next_url(client, key_user, password):
    key_user.preferred_method = "webauthn"
    key_user.save()
    client.post(
        "/accounts/login/?next=/settings/security/",
        {"username": key_user.username, "password": password},
    )
    response = sign_in_with_key(client, key_user, key_user.soft_key)
    assert response.json() == {"redirect": SECURITY}


def test_login_can_trust_this_browser(client, key_login, tenant):
    tenant.trusted_device_days = 30
    tenant.save()
    assert 'name="trust_device"' in client.get(KEY_PAGE).content.decode()

    response = sign_in_with_key(client, key_login, key_login.soft_key, trust_device=True)

    assert response.status_code == 200
    assert response.cookies[COOKIE].value
    assert response.cookies[COOKIE]["httponly"]
    assert TrustedDevice.objects.filter(user=key_login).count() == 1


def test_a_challenge_works_once(client, key_login):
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}).json()
    forged = key_login.soft_key.sign(options, "https://evil.example")
    first = post_json(client, AUTH_VERIFY, {"purpose": "login", "credential": forged})
    assert first.status_code == 400 and "not accepted" in first.json()["error"]

    genuine = key_login.soft_key.sign(options, ORIGIN)
    second = post_json(client, AUTH_VERIFY, {"purpose": "login", "credential": genuine})
    assert second.status_code == 400 and "took too long" in second.json()["error"]
    key_login.refresh_from_db()
    assert key_login.second_step_failures == 1  # the forged one only


def test_an_old_challenge_is_refused_without_counting(client, key_login, time_machine):
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}).json()
    time_machine.move_to(time.time() + rules.CHALLENGE_SECONDS + 5, tick=False)
    response = post_json(
        client,
        AUTH_VERIFY,
        {
            "purpose": "login",
            "credential": key_login.soft_key.sign(options, ORIGIN),
        },
    )
    assert response.status_code == 400 and "took too long" in response.json()["error"]
    key_login.refresh_from_db()
    assert key_login.second_step_failures == 0


def test_a_challenge_of_another_login_attempt_is_refused(client, key_login, login_password_step):
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}).json()
    login_password_step(key_login)  # a new attempt in the same browser
    response = post_json(
        client,
        AUTH_VERIFY,
        {
            "purpose": "login",
            "credential": key_login.soft_key.sign(options, ORIGIN),
        },
    )
    assert response.status_code == 400 and "took too long" in response.json()["error"]


def test_endpoints_need_a_pending_login(client, tenant):
    for url in (AUTH_OPTIONS, AUTH_VERIFY):
        response = post_json(client, url, {"purpose": "login"})
        assert response.status_code == 403
        assert response.json() == {"redirect": "/accounts/login/"}
    # and the login page then says why
    assert "has expired" in client.get("/accounts/login/").content.decode()


def test_endpoints_refuse_an_unknown_purpose_and_get(client, key_login):
    assert post_json(client, AUTH_OPTIONS, {"purpose": "other"}).status_code == 400
    assert (
        client.post(AUTH_OPTIONS, data="{nonsense", content_type="application/json").status_code
        == 400
    )
    assert post_json(client, AUTH_OPTIONS, ["login"]).status_code == 400
    assert client.get(AUTH_OPTIONS).status_code == 405
    assert client.get(AUTH_VERIFY).status_code == 405


def test_options_without_keys_explain(client, hr_user, login_password_step):
    login_password_step(hr_user)
    response = post_json(client, AUTH_OPTIONS, {"purpose": "login"})
    assert response.status_code == 400
    assert "No security key" in response.json()["error"]
    response = post_json(client, AUTH_VERIFY, {"purpose": "login", "credential": {}})
    assert response.status_code == 400


def test_keys_are_refused_when_the_tenant_no_longer_allows_them(client, key_login, tenant):
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}).json()
    tenant.allowed_methods = ["sms"]
    tenant.save()
    response = post_json(
        client,
        AUTH_VERIFY,
        {
            "purpose": "login",
            "credential": key_login.soft_key.sign(options, ORIGIN),
        },
    )
    assert response.status_code == 400
    assert not client.session.get("_auth_user_id")


def test_another_users_key_does_not_log_in(client, key_login, manager_user):
    other_key, _ = add_key(manager_user)
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}).json()
    response = post_json(
        client,
        AUTH_VERIFY,
        {
            "purpose": "login",
            "credential": other_key.sign(options, ORIGIN),
        },
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_json_endpoints_are_csrf_protected(key_user, password):
    client = Client(enforce_csrf_checks=True)
    key_user.preferred_method = "webauthn"
    key_user.save()
    page = client.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(
        "/accounts/login/",
        {"username": key_user.username, "password": password, "csrfmiddlewaretoken": token},
    )
    page = client.get(KEY_PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    assert post_json(client, AUTH_OPTIONS, {"purpose": "login"}).status_code == 403
    options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}, HTTP_X_CSRFTOKEN=token)
    assert options.status_code == 200
    credential = key_user.soft_key.sign(options.json(), ORIGIN)
    body = {"purpose": "login", "credential": credential}
    assert post_json(client, AUTH_VERIFY, body).status_code == 403
    assert post_json(client, AUTH_VERIFY, body, HTTP_X_CSRFTOKEN=token).json() == {"redirect": "/"}


def test_too_many_failures_block_and_show_the_blocked_page(client, key_login, tenant):
    tenant.second_step_block_threshold = 3
    tenant.save()
    replies = []
    for _ in range(3):
        options = post_json(client, AUTH_OPTIONS, {"purpose": "login"}).json()
        forged = key_login.soft_key.sign(options, ORIGIN, rp_id="evil.example")
        replies.append(post_json(client, AUTH_VERIFY, {"purpose": "login", "credential": forged}))

    assert [r.status_code for r in replies] == [400, 400, 403]
    assert replies[-1].json() == {"redirect": "/accounts/verify/key/blocked/"}
    page = client.get("/accounts/verify/key/blocked/")
    assert page.status_code == 403
    assert "Your account is blocked" in page.content.decode()
    assert tenant.support_email in page.content.decode()
    assert client.get("/accounts/verify/key/blocked/")["Location"] == "/accounts/login/"
    assert client.get(KEY_PAGE)["Location"] == "/accounts/login/"  # the attempt is gone
    key_login.refresh_from_db()
    assert key_login.is_blocked


# --- re-authentication ------------------------------------------------------------------------


@pytest.fixture
def stale_key_client(client, key_user, logged_in_client, password):
    logged_in_client(key_user)
    make_stale(client)
    confirm_password(client, password)
    return client


def test_reauth_with_a_key_needs_the_password_first(client, key_user, logged_in_client):
    logged_in_client(key_user)
    make_stale(client)
    assert 'data-purpose="reauth"' not in client.get("/accounts/verify/again/").content.decode()
    for url in (AUTH_OPTIONS, f"{AUTH_VERIFY}?next=/settings/security/phone/"):
        reply = post_json(client, url, {"purpose": "reauth"})
        assert reply.status_code == 403
        assert reply.json() == {
            "redirect": "/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2F"
            if url == AUTH_OPTIONS else
            "/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2Fphone%2F"
        }
    assert not AuditEvent.objects.filter(event=Event.REAUTHENTICATED).exists()


def test_reauth_page_offers_the_key(stale_key_client):
    response = stale_key_client.get("/accounts/verify/again/?next=/settings/security/phone/")
    body = response.content.decode()
    assert 'data-purpose="reauth"' in body
    assert 'data-verify-url="/accounts/verify/key/verify/?next=/settings/security/phone/"' in body
    assert '<script src="/static/js/webauthn.js" defer></script>' in body


def test_reauth_with_the_key(stale_key_client, key_user):
    response = sign_in_with_key(
        stale_key_client,
        key_user,
        key_user.soft_key,
        purpose="reauth",
        url=f"{AUTH_VERIFY}?next=/settings/security/phone/",
    )
    assert response.json() == {"redirect": "/settings/security/phone/"}
    assert stale_key_client.session["mfa_method"] == "webauthn"
    assert time.time() - stale_key_client.session["mfa_at"] < 5
    assert AuditEvent.objects.filter(event=Event.REAUTHENTICATED, data__method="webauthn").exists()
    assert stale_key_client.get("/settings/security/phone/").status_code == 200


def test_reauth_next_must_stay_in_the_portal(stale_key_client, key_user):
    response = sign_in_with_key(
        stale_key_client,
        key_user,
        key_user.soft_key,
        purpose="reauth",
        url=f"{AUTH_VERIFY}?next=https://evil.example/",
    )
    assert response.json() == {"redirect": SECURITY}


def test_reauth_needs_a_login(client, tenant):
    assert post_json(client, AUTH_OPTIONS, {"purpose": "reauth"}).status_code == 403


def test_reauth_failures_count_and_block(stale_key_client, key_user, tenant):
    tenant.second_step_block_threshold = 3
    tenant.save()
    for expected in (400, 400, 403):
        options = post_json(stale_key_client, AUTH_OPTIONS, {"purpose": "reauth"}).json()
        forged = key_user.soft_key.sign(options, "https://evil.example")
        reply = post_json(
            stale_key_client, AUTH_VERIFY, {"purpose": "reauth", "credential": forged}
        )
        assert reply.status_code == expected
    assert reply.json() == {"redirect": "/accounts/verify/key/blocked/"}
    assert "_auth_user_id" not in stale_key_client.session  # logged out
    assert stale_key_client.get("/accounts/verify/key/blocked/").status_code == 403


# --- adding a key -----------------------------------------------------------------------------


@pytest.fixture
def fresh_client(client, hr_user, logged_in_client):
    return logged_in_client(hr_user)


def test_add_page_needs_a_fresh_second_step(client, hr_user, logged_in_client):
    assert client.get(ADD)["Location"].startswith("/accounts/login/")
    logged_in_client(hr_user)
    make_stale(client)
    assert (
        client.get(ADD)["Location"]
        == "/accounts/verify/again/?next=%2Faccounts%2Fverify%2Fkey%2Fadd%2F"
    )
    for url in (REGISTER_OPTIONS, REGISTER_VERIFY):
        reply = post_json(client, url)
        assert reply.status_code == 403
        assert reply.json()["redirect"].startswith("/accounts/verify/again/?next=")
    # a next of the add page survives the detour
    reply = post_json(client, f"{REGISTER_OPTIONS}?next=/activate/backup-codes/")
    assert reply.json()["redirect"] == (
        "/accounts/verify/again/?next=%2Faccounts%2Fverify%2Fkey%2Fadd%2F"
        "%3Fnext%3D%252Factivate%252Fbackup-codes%252F"
    )


def test_register_endpoints_need_a_login(client, tenant):
    for url in (REGISTER_OPTIONS, REGISTER_VERIFY):
        reply = post_json(client, url)
        assert reply.status_code == 403 and reply.json() == {"redirect": "/accounts/login/"}


def test_add_page(fresh_client):
    body = fresh_client.get(f"{ADD}?next=/activate/backup-codes/").content.decode()
    assert (
        'data-options-url="/accounts/verify/key/add/options/?next=/activate/backup-codes/"' in body
    )
    assert 'data-verify-url="/accounts/verify/key/add/verify/?next=/activate/backup-codes/"' in body
    assert 'href="/activate/backup-codes/">' in body  # cancel goes back there too
    body = fresh_client.get(ADD).content.decode()
    assert 'data-webauthn="register"' in body
    assert 'value="Security key"' in body and 'maxlength="60"' in body
    assert "Register key" in body
    assert '<script src="/static/js/webauthn.js" defer></script>' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_register_a_key_through_the_endpoints(fresh_client, hr_user):
    _, existing = add_key(hr_user, name="Oude sleutel", client=fresh_client)
    assert 'value="Security key 2"' in fresh_client.get(ADD).content.decode()

    options = post_json(fresh_client, REGISTER_OPTIONS).json()
    assert options["rp"] == {"name": "Arbodienst Demo", "id": "testserver"}
    assert options["user"]["name"] == hr_user.username
    assert options["user"]["id"] == b64(rp.user_handle(hr_user))
    assert hr_user.username not in options["user"]["id"]
    assert options["attestation"] == "none"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["authenticatorSelection"]["residentKey"] == "discouraged"
    assert [c["id"] for c in options["excludeCredentials"]] == [existing.credential_id]

    key = SoftKey()
    reply = post_json(
        fresh_client,
        REGISTER_VERIFY,
        {
            "name": "Blauwe YubiKey",
            "credential": key.register(options, ORIGIN),
        },
    )

    assert reply.status_code == 200, reply.content
    assert reply.json() == {"redirect": SECURITY}
    credential = WebAuthnCredential.objects.get(credential_id=key.id)
    assert credential.user == hr_user and credential.name == "Blauwe YubiKey"
    page = fresh_client.get(SECURITY).content.decode()
    assert "Blauwe YubiKey" in page and "has been added" in page


def test_register_keeps_a_safe_next(fresh_client):
    options = post_json(fresh_client, REGISTER_OPTIONS).json()
    reply = post_json(
        fresh_client,
        f"{REGISTER_VERIFY}?next=/",
        {
            "name": "Sleutel",
            "credential": SoftKey().register(options, ORIGIN),
        },
    )
    assert reply.json() == {"redirect": "/"}


def test_register_user_handle_is_stable_and_opaque(fresh_client, hr_user):
    first = post_json(fresh_client, REGISTER_OPTIONS).json()
    second = post_json(fresh_client, REGISTER_OPTIONS).json()
    assert first["user"]["id"] == second["user"]["id"]
    assert first["challenge"] != second["challenge"]


@pytest.mark.parametrize(
    ("name", "credential_for", "message"),
    [
        ("", "genuine", "Give the key a name."),
        ("x" * 61, "genuine", "at most 60 characters"),
        ("Sleutel", "evil", "could not be registered"),
        ("Sleutel", "nothing", "could not be registered"),
    ],
)
def test_register_errors(fresh_client, name, credential_for, message):
    options = post_json(fresh_client, REGISTER_OPTIONS).json()
    credential = {
        "genuine": SoftKey().register(options, ORIGIN),
        "evil": SoftKey().register(options, "https://evil.example"),
        "nothing": None,
    }[credential_for]
    reply = post_json(fresh_client, REGISTER_VERIFY, {"name": name, "credential": credential})
    assert reply.status_code == 400
    assert message in reply.json()["error"]
    assert not WebAuthnCredential.objects.exists()


def test_register_twice_and_without_challenge(fresh_client, hr_user):
    key = SoftKey()
    options = post_json(fresh_client, REGISTER_OPTIONS).json()
    credential = key.register(options, ORIGIN)
    assert (
        post_json(
            fresh_client, REGISTER_VERIFY, {"name": "A", "credential": credential}
        ).status_code
        == 200
    )
    reply = post_json(fresh_client, REGISTER_VERIFY, {"name": "A", "credential": credential})
    assert "took too long" in reply.json()["error"]
    options = post_json(fresh_client, REGISTER_OPTIONS).json()
    reply = post_json(
        fresh_client, REGISTER_VERIFY, {"name": "A", "credential": key.register(options, ORIGIN)}
    )
    assert "already registered" in reply.json()["error"]


def test_register_refused_at_the_key_limit(fresh_client, hr_user):
    for _ in range(rules.MAX_KEYS):
        add_key(hr_user, client=fresh_client)
    options = post_json(fresh_client, REGISTER_OPTIONS).json()
    reply = post_json(
        fresh_client,
        REGISTER_VERIFY,
        {"name": "A", "credential": SoftKey().register(options, ORIGIN)},
    )
    assert "maximum number" in reply.json()["error"]


def test_keys_not_allowed_by_the_tenant(fresh_client, tenant):
    tenant.allowed_methods = ["sms", "totp"]
    tenant.save()
    response = fresh_client.get(ADD)
    assert response["Location"] == SECURITY
    assert "not available" in fresh_client.get(SECURITY).content.decode()
    assert post_json(fresh_client, REGISTER_OPTIONS).status_code == 403


# --- removing a key ---------------------------------------------------------------------------


def test_remove_own_key(fresh_client, hr_user):
    _, credential = add_key(hr_user, name="Weg ermee", client=fresh_client)
    url = f"/accounts/verify/key/{credential.pk}/remove/"
    page = fresh_client.get(url).content.decode()
    assert "Weg ermee" in page and 'method="post"' in page

    response = fresh_client.post(url)

    assert response["Location"] == SECURITY
    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    assert "has been removed" in fresh_client.get(SECURITY).content.decode()
    assert AuditEvent.objects.filter(event=Event.WEBAUTHN_REMOVED).exists()


def test_remove_someone_elses_key_is_not_found(fresh_client, manager_user, foreign_user):
    for owner in (manager_user, foreign_user):
        _, credential = add_key(owner)
        url = f"/accounts/verify/key/{credential.pk}/remove/"
        assert fresh_client.get(url).status_code == 404
        assert fresh_client.post(url).status_code == 404
    assert WebAuthnCredential.objects.count() == 2


def test_remove_needs_a_fresh_second_step(fresh_client, hr_user):
    _, credential = add_key(hr_user, client=fresh_client)
    make_stale(fresh_client)
    url = f"/accounts/verify/key/{credential.pk}/remove/"
    response = fresh_client.post(url)
    assert response["Location"].startswith("/accounts/verify/again/")
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()


def test_remove_the_last_factor_is_refused(fresh_client, hr_user, tenant):
    _, credential = add_key(hr_user, client=fresh_client)
    tenant.allowed_methods = ["totp", "webauthn"]
    tenant.save()
    url = f"/accounts/verify/key/{credential.pk}/remove/"
    assert "only second step" in fresh_client.get(url).content.decode()
    response = fresh_client.post(url)
    assert response["Location"] == SECURITY
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    assert "only second step" in fresh_client.get(SECURITY).content.decode()


#: A JSON body sent as multipart with a boundary it never uses: Django's form parser fails.
BROKEN_MULTIPART = ('{"purpose": "reauth", "trust_device": ["' + "0" * 2600 + '"]}').encode()


def test_a_malformed_form_body_gets_a_json_answer(stale_key_client):
    """Found by the fuzzer: a JSON endpoint posted as a broken multipart form answered with
    the HTML 400 page, because reading ``next`` parsed the body as a form."""
    reply = stale_key_client.generic(
        "POST", f"{AUTH_VERIFY}?next=/settings/security/phone/", BROKEN_MULTIPART,
        content_type="multipart/form-data; boundary=xyz",
    )
    assert reply.status_code in (400, 403) and isinstance(reply.json(), dict)


def test_a_malformed_form_body_before_the_password_step_gets_a_json_answer(
    client, key_user, logged_in_client
):
    logged_in_client(key_user)
    make_stale(client)
    reply = client.generic(
        "POST", f"{AUTH_VERIFY}?next=/settings/security/phone/", BROKEN_MULTIPART,
        content_type="multipart/form-data; boundary=xyz",
    )
    assert reply.status_code == 403
    assert reply.json() == {
        "redirect": "/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2Fphone%2F"
    }
