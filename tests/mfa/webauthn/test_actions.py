"""Registering, using and removing security keys, with genuine WebAuthn responses."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.mfa.webauthn.conftest import AUDIT_ORIGIN, ORIGIN, RP_ID, add_key
from tests.mfa.webauthn.soft_key import SoftKey, b64
from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.models import TrustedDevice
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn import rules
from verzuim.mfa.webauthn.actions import (
    authenticate_credential,
    register_credential,
    remove_credential,
)
from verzuim.mfa.webauthn.exceptions import (
    KeyAlreadyRegistered,
    KeyLimitReached,
    LastFactorError,
    RegistrationRefused,
)
from verzuim.mfa.webauthn.models import WebAuthnCredential

pytestmark = pytest.mark.django_db


def registration(key: SoftKey, **kwargs):
    challenge = os.urandom(32)
    return challenge, key.register(
        {"challenge": b64(challenge), "rp": {"id": RP_ID}}, ORIGIN, **kwargs
    )


def register(user, response, challenge, **kwargs):
    options = {"name": "YubiKey", "rp_id": RP_ID, "origin": ORIGIN, "audit_origin": AUDIT_ORIGIN}
    options.update(kwargs)
    return register_credential(user, response, challenge, **options)


def assertion(key: SoftKey, **kwargs):
    challenge = os.urandom(32)
    return challenge, key.sign({"challenge": b64(challenge), "rpId": RP_ID}, ORIGIN, **kwargs)


def authenticate(user, response, challenge, **kwargs):
    options = {"rp_id": RP_ID, "origin": ORIGIN, "audit_origin": AUDIT_ORIGIN}
    options.update(kwargs)
    return authenticate_credential(user, response, challenge, **options)


def emails_to(user):
    deliver_due()
    return list(OutboxMessage.objects.filter(channel="email", to=user.email))


# --- registration -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["none", "packed"])
def test_register_stores_the_key_audits_and_notifies(hr_user, fmt):
    TrustedDevice.objects.create(user=hr_user, expires_at=timezone.now() + timedelta(days=9))
    key = SoftKey(start_count=3)
    challenge, response = registration(key, fmt=fmt)

    credential = register(hr_user, response, challenge, name="  Blauwe sleutel ")

    credential.refresh_from_db()
    assert credential.user == hr_user
    assert credential.name == "Blauwe sleutel"
    assert credential.credential_id == key.id
    assert "=" not in credential.credential_id  # base64url without padding
    assert bytes(credential.public_key) == key.cose_public_key()
    assert credential.sign_count == 3
    assert credential.transports == ["usb", "nfc"]
    assert credential.aaguid == "2fc0579f-8113-47ea-b116-bb5a8db9202a"
    event = AuditEvent.objects.get(event=Event.WEBAUTHN_ADDED)
    assert event.subject == hr_user and event.data == {"name": "Blauwe sleutel"}
    assert event.ip == "192.0.2.10"
    assert not TrustedDevice.objects.filter(user=hr_user).exists()  # trusted browsers revoked
    [email] = emails_to(hr_user)
    assert "Security change" in email.subject
    assert "Security key added" in email.body


def test_register_without_user_verification_is_fine(hr_user):
    """Keys without a PIN only prove presence (a touch): that is enough for a second factor."""
    challenge, response = registration(SoftKey(), user_verified=False)
    assert register(hr_user, response, challenge).pk


def test_register_needs_a_challenge(hr_user):
    challenge, response = registration(SoftKey())
    with pytest.raises(CodeExpired):
        register(hr_user, response, None)
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        {"challenge": b64(b"another challenge, not ours")},
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
    ],
    ids=["challenge", "origin", "rp_id"],
)
def test_register_refuses_a_forged_response(hr_user, forge):
    key = SoftKey()
    challenge = os.urandom(32)
    options = {"challenge": b64(challenge), "rp": {"id": RP_ID}}
    response = key.register(
        options,
        forge.get("origin", ORIGIN),
        rp_id=forge.get("rp_id"),
        challenge=forge.get("challenge"),
    )
    with pytest.raises(RegistrationRefused):
        register(hr_user, response, challenge)
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(event=Event.WEBAUTHN_ADDED).exists()


@pytest.mark.parametrize("garbage", [None, "not json", {"id": "x"}, ["a"], {}])
def test_register_refuses_garbage(hr_user, garbage):
    with pytest.raises(RegistrationRefused):
        register(hr_user, garbage, os.urandom(32))


def test_the_same_key_cannot_be_registered_twice(hr_user, manager_user):
    key, _ = add_key(hr_user)
    challenge, response = registration(key)
    with pytest.raises(KeyAlreadyRegistered):
        register(hr_user, response, challenge)
    challenge, response = registration(key)
    with pytest.raises(KeyAlreadyRegistered):
        register(manager_user, response, challenge)
    assert WebAuthnCredential.objects.count() == 1


def test_key_limit(hr_user):
    for _ in range(rules.MAX_KEYS):
        add_key(hr_user)
    challenge, response = registration(SoftKey())
    with pytest.raises(KeyLimitReached):
        register(hr_user, response, challenge)
    assert hr_user.webauthn_credentials.count() == rules.MAX_KEYS


# --- authentication ---------------------------------------------------------------------------


def test_authenticate_updates_counter_and_audits(key_user):
    challenge, response = assertion(key_user.soft_key)

    credential = authenticate(key_user, response, challenge)

    assert credential.pk == key_user.credential.pk
    credential.refresh_from_db()
    assert credential.sign_count == 1
    assert credential.last_used_at is not None
    event = AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK).get()
    assert event.data == {"method": "webauthn", "key_name": "YubiKey"}
    key_user.refresh_from_db()
    assert key_user.second_step_failures == 0


def test_authenticate_needs_a_challenge_and_does_not_count_that(key_user):
    _, response = assertion(key_user.soft_key)
    with pytest.raises(CodeExpired):
        authenticate(key_user, response, None)
    key_user.refresh_from_db()
    assert key_user.second_step_failures == 0


@pytest.mark.parametrize(
    "forge",
    [
        {"challenge": b64(b"another challenge, not ours")},
        {"origin": "https://evil.example"},
        {"origin": "http://testserver:8000"},
        {"rp_id": "evil.example"},
        {"user_present": False},
    ],
    ids=["challenge", "origin", "port", "rp_id", "not_touched"],
)
def test_authenticate_refuses_a_forged_response_and_counts_it(key_user, forge):
    challenge = os.urandom(32)
    options = {"challenge": b64(challenge), "rpId": RP_ID}
    response = key_user.soft_key.sign(options, forge.pop("origin", ORIGIN), **forge)
    with pytest.raises(CodeInvalid):
        authenticate(key_user, response, challenge)
    key_user.refresh_from_db()
    assert key_user.second_step_failures == 1
    key_user.credential.refresh_from_db()
    assert key_user.credential.sign_count == 0
    failed = AuditEvent.objects.get(event=Event.SECOND_FACTOR_FAILED)
    assert failed.data == {"method": "webauthn", "failures": 1}
    assert not AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK).exists()


def test_a_wrong_signature_is_refused(key_user):
    challenge, response = assertion(key_user.soft_key)
    impostor = SoftKey()
    impostor.credential_id = key_user.soft_key.credential_id  # same id, another private key
    _, forged = assertion(impostor)
    response["response"]["signature"] = forged["response"]["signature"]
    with pytest.raises(CodeInvalid):
        authenticate(key_user, response, challenge)


def test_another_users_key_is_refused(key_user, manager_user):
    add_key(manager_user)
    challenge, response = assertion(key_user.soft_key)
    with pytest.raises(CodeInvalid):
        authenticate(manager_user, response, challenge)
    manager_user.refresh_from_db()
    assert manager_user.second_step_failures == 1


@pytest.mark.parametrize("garbage", [None, "not json", {"id": "x", "rawId": "x"}, 42])
def test_garbage_is_refused(key_user, garbage):
    with pytest.raises(CodeInvalid):
        authenticate(key_user, garbage, os.urandom(32))


@pytest.mark.parametrize("count", [1, 0], ids=["same", "lower"])
def test_replayed_or_cloned_counter_is_refused_and_audited(key_user, count):
    challenge, response = assertion(key_user.soft_key)
    authenticate(key_user, response, challenge)  # the counter is now 1

    challenge, response = assertion(key_user.soft_key, sign_count=count)
    with pytest.raises(CodeInvalid):
        authenticate(key_user, response, challenge)

    key_user.credential.refresh_from_db()
    assert key_user.credential.sign_count == 1
    clone = AuditEvent.objects.get(data__reason="sign_count_not_increased")
    assert clone.event == Event.SECOND_FACTOR_FAILED
    assert clone.data["stored_sign_count"] == 1
    assert clone.data["received_sign_count"] == count
    key_user.refresh_from_db()
    assert key_user.second_step_failures == 1


def test_replaying_one_response_with_its_challenge_fails(key_user):
    challenge, response = assertion(key_user.soft_key)
    authenticate(key_user, response, challenge)
    with pytest.raises(CodeInvalid):
        authenticate(key_user, response, challenge)


def test_a_key_without_counter_is_accepted_each_time(hr_user):
    key, credential = add_key(hr_user, SoftKey(counter=False))
    for _ in range(2):
        challenge, response = assertion(key)
        authenticate(hr_user, response, challenge)
    credential.refresh_from_db()
    assert credential.sign_count == 0
    assert AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK).count() == 2


def test_lost_race_on_the_counter_is_refused(key_user, monkeypatch):
    """Two uses at once: the conditional update lets only one of them store its counter."""
    from verzuim.mfa.webauthn import actions

    real_verify = actions.verify_authentication_response

    def verify_while_another_request_wins(**kwargs):
        verified = real_verify(**kwargs)
        WebAuthnCredential.objects.filter(pk=key_user.credential.pk).update(sign_count=1)
        return verified

    monkeypatch.setattr(
        actions, "verify_authentication_response", verify_while_another_request_wins
    )
    challenge, response = assertion(key_user.soft_key)  # counter 1, as the winner's
    with pytest.raises(CodeInvalid):
        authenticate(key_user, response, challenge)
    assert not AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK).exists()
    assert AuditEvent.objects.filter(data__reason="sign_count_not_increased").exists()


def test_failures_block_at_the_tenant_threshold(key_user, tenant):
    tenant.second_step_block_threshold = 3
    tenant.save()
    for _ in range(2):
        challenge, response = assertion(key_user.soft_key)
        with pytest.raises(CodeInvalid):
            authenticate(key_user, response, os.urandom(32))
    challenge, response = assertion(key_user.soft_key)
    with pytest.raises(AccountBlocked):
        authenticate(key_user, response, os.urandom(32))
    key_user.refresh_from_db()
    assert key_user.is_blocked
    assert AuditEvent.objects.filter(event=Event.ACCOUNT_BLOCKED, subject=key_user).exists()
    assert any("blocked" in m.subject for m in emails_to(key_user))


# --- removal ----------------------------------------------------------------------------------


def test_remove_audits_notifies_and_revokes_trusted_browsers(key_user):
    TrustedDevice.objects.create(user=key_user, expires_at=timezone.now() + timedelta(days=9))

    remove_credential(key_user.credential, actor=key_user, origin=AUDIT_ORIGIN)

    assert not WebAuthnCredential.objects.exists()
    event = AuditEvent.objects.get(event=Event.WEBAUTHN_REMOVED)
    assert event.data == {"name": "YubiKey"} and event.actor == key_user
    assert not TrustedDevice.objects.filter(user=key_user).exists()
    [email] = [m for m in emails_to(key_user) if "Security key removed" in m.body]
    assert "Security change" in email.subject


def test_removing_the_last_key_makes_sms_the_default_again(key_user):
    key_user.preferred_method = "webauthn"
    key_user.save()
    _, second = add_key(key_user, name="Reserve")

    remove_credential(key_user.credential, actor=key_user, origin=AUDIT_ORIGIN)
    key_user.refresh_from_db()
    assert key_user.preferred_method == "webauthn"  # a key is left

    remove_credential(second, actor=key_user, origin=AUDIT_ORIGIN)
    key_user.refresh_from_db()
    assert key_user.preferred_method == "sms"


def test_the_last_factor_cannot_be_removed(key_user, tenant):
    tenant.allowed_methods = ["totp", "webauthn"]
    tenant.save()
    key_user.refresh_from_db()

    with pytest.raises(LastFactorError):
        remove_credential(key_user.credential, actor=key_user, origin=AUDIT_ORIGIN)

    assert WebAuthnCredential.objects.filter(pk=key_user.credential.pk).exists()
    assert not AuditEvent.objects.filter(event=Event.WEBAUTHN_REMOVED).exists()


def test_with_another_factor_the_key_can_go_even_without_sms(key_user, tenant):
    tenant.allowed_methods = ["totp", "webauthn"]
    tenant.save()
    TotpDevice.objects.create(
        user=key_user, name="App", secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    key_user.preferred_method = "webauthn"
    key_user.save()
    key_user.refresh_from_db()

    remove_credential(key_user.credential, actor=key_user, origin=AUDIT_ORIGIN)

    key_user.refresh_from_db()
    assert key_user.preferred_method == "totp"


def test_removing_a_key_already_removed_elsewhere_is_quiet(key_user):
    _, second = add_key(key_user, name="Reserve")
    stale = WebAuthnCredential.objects.get(pk=second.pk)
    WebAuthnCredential.objects.filter(pk=second.pk).delete()
    remove_credential(stale, actor=key_user, origin=AUDIT_ORIGIN)
    assert not AuditEvent.objects.filter(event=Event.WEBAUTHN_REMOVED).exists()


def test_support_removes_a_key_as_actor(key_user, support_user):
    remove_credential(key_user.credential, actor=support_user, origin=AUDIT_ORIGIN)
    event = AuditEvent.objects.get(event=Event.WEBAUTHN_REMOVED)
    assert event.actor == support_user and event.subject == key_user


def test_other_users_are_not_affected(key_user):
    other = UserFactory(tenant=key_user.tenant)
    add_key(other, name="Other")
    remove_credential(key_user.credential, actor=key_user, origin=AUDIT_ORIGIN)
    assert other.webauthn_credentials.count() == 1


def test_a_concurrent_registration_of_the_same_key_is_refused(hr_user, manager_user, monkeypatch):
    """Both requests pass the "already registered?" check; the unique index decides."""
    key = SoftKey()
    challenge, response = registration(key)
    real_create = WebAuthnCredential.objects.create

    def create_after_the_other_request(**kwargs):
        WebAuthnCredential.objects.bulk_create(
            [
                WebAuthnCredential(
                    user=manager_user, name="Race", credential_id=key.id, public_key=b"x"
                )
            ]
        )
        return real_create(**kwargs)

    monkeypatch.setattr(WebAuthnCredential.objects, "create", create_after_the_other_request)
    with pytest.raises(KeyAlreadyRegistered):
        register(hr_user, response, challenge)
    assert not hr_user.webauthn_credentials.exists()
    assert not AuditEvent.objects.filter(event=Event.WEBAUTHN_ADDED).exists()


def test_a_key_shows_its_name(key_user):
    assert str(key_user.credential) == "YubiKey"


# --- key algorithms: at least 128-bit strength (ASVS V11.2.3) --------------------------------


def test_the_browser_is_asked_for_elliptic_curve_keys_only(rf, hr_user):
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from verzuim.mfa.webauthn import rp

    request = rf.get("/", HTTP_HOST="testserver")
    request.session = SessionStore()
    request.tenant = hr_user.tenant
    options = rp.registration_options(request, hr_user)
    algorithms = [p["alg"] for p in options["pubKeyCredParams"]]
    assert algorithms == [-8, -7, -36]  # EdDSA, ES256, ES512; no RSA


def test_a_key_with_an_algorithm_outside_the_list_is_refused(hr_user, monkeypatch):
    from webauthn.helpers.cose import COSEAlgorithmIdentifier

    from verzuim.mfa.webauthn import rules

    # The soft key signs with ES256; with ES256 left off the list it must be refused.
    monkeypatch.setattr(rules, "SUPPORTED_ALGORITHMS", (COSEAlgorithmIdentifier.EDDSA,))
    challenge, response = registration(SoftKey())
    with pytest.raises(RegistrationRefused):
        register(hr_user, response, challenge)
    assert not hr_user.webauthn_credentials.exists()
