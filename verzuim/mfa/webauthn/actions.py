"""Registering, using and removing security keys (WebAuthn / FIDO2).

Verification is py_webauthn's. Decisions (see also ``rp.py``):

- Attestation "none": any FIDO2 key is accepted; we do not check its maker.
- User verification "preferred", not required: a touch (user presence) is always required,
  a PIN only when the key has one.
- The signature counter must grow. A counter that does not grow while a valid signature was
  made is what a cloned key looks like: the login is refused, and the audit log says why.
"""

from __future__ import annotations

import logging
import struct
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import (
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException

from verzuim.accounts.actions import register_second_step_failure
from verzuim.accounts.models import SecondFactor, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event, Outcome
from verzuim.core.logging import safe_for_log
from verzuim.core.request import Origin
from verzuim.mfa import methods
from verzuim.mfa.changes import record_security_change
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid
from verzuim.mfa.webauthn import rules
from verzuim.mfa.webauthn.exceptions import (
    KeyAlreadyRegistered,
    KeyLimitReached,
    LastFactorError,
    RegistrationRefused,
)
from verzuim.mfa.webauthn.models import WebAuthnCredential

logger = logging.getLogger(__name__)

# What a malformed or forged browser answer can raise while it is parsed and checked.
VERIFY_ERRORS = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, struct.error)
METHOD = SecondFactor.WEBAUTHN.value
Credential = str | dict[str, Any]


# --- registration -----------------------------------------------------------------------------


def register_credential(
    user: User,
    response_json: Credential,
    challenge: bytes | None,
    *,
    name: str,
    rp_id: str,
    origin: str,
    audit_origin: Origin,
) -> WebAuthnCredential:
    """Verify the browser's answer to the registration options and store the key.

    ``origin`` is the expected WebAuthn origin (scheme://host[:port]); ``audit_origin`` is
    where the request came from, for the audit log. Raises CodeExpired (no valid challenge),
    RegistrationRefused, KeyAlreadyRegistered or KeyLimitReached.
    """
    if challenge is None:
        raise CodeExpired()
    if not isinstance(response_json, str | dict):
        raise RegistrationRefused()
    try:
        verified = verify_registration_response(
            credential=response_json,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_presence=True,
            require_user_verification=False,
            supported_pub_key_algs=list(rules.SUPPORTED_ALGORITHMS),
        )
        transports = parse_registration_credential_json(response_json).response.transports
    except VERIFY_ERRORS as exc:
        logger.info(
            "Security key registration refused for user %s: %s", user.pk, safe_for_log(exc)
        )
        raise RegistrationRefused() from exc
    return _store_credential(
        user,
        name=name.strip()[: rules.NAME_MAX_LENGTH],
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=rules.clean_transports(transports),
        aaguid=verified.aaguid,
        audit_origin=audit_origin,
    )


@transaction.atomic
def _store_credential(
    user: User,
    *,
    name: str,
    credential_id: str,
    public_key: bytes,
    sign_count: int,
    transports: list[str],
    aaguid: str,
    audit_origin: Origin,
) -> WebAuthnCredential:
    # Serialise changes to this user's factors, so the key limit holds under races too.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if WebAuthnCredential.objects.filter(user=user).count() >= rules.MAX_KEYS:
        raise KeyLimitReached()
    if WebAuthnCredential.objects.filter(credential_id=credential_id).exists():
        raise KeyAlreadyRegistered()
    try:
        with transaction.atomic():
            credential = WebAuthnCredential.objects.create(
                user=user,
                name=name,
                credential_id=credential_id,
                public_key=public_key,
                sign_count=sign_count,
                transports=transports,
                aaguid=aaguid,
            )
    except IntegrityError as exc:  # the same credential, stored by a concurrent request
        raise KeyAlreadyRegistered() from exc
    record_security_change(user, Event.WEBAUTHN_ADDED, origin=audit_origin, data={"name": name})
    return credential


# --- authentication ---------------------------------------------------------------------------


def authenticate_credential(
    user: User,
    response_json: Credential,
    challenge: bytes | None,
    *,
    rp_id: str,
    origin: str,
    audit_origin: Origin,
) -> WebAuthnCredential:
    """Accept a signature by one of the user's keys over ``challenge``.

    Raises CodeExpired when there is no valid challenge (not counted as a failure: the user
    only waited too long), else CodeInvalid after counting a second-step failure, which may
    raise AccountBlocked instead.
    """
    if challenge is None:
        raise CodeExpired()
    credential = _check_assertion(
        user, response_json, challenge, rp_id=rp_id, origin=origin, audit_origin=audit_origin
    )
    if credential is None:
        # Outside any transaction: the count and a block must stay, whatever comes next.
        register_second_step_failure(user, audit_origin, method=METHOD)
        raise CodeInvalid()
    return credential


def _check_assertion(
    user: User,
    response_json: Credential,
    challenge: bytes,
    *,
    rp_id: str,
    origin: str,
    audit_origin: Origin,
) -> WebAuthnCredential | None:
    if not isinstance(response_json, str | dict):
        return None
    try:
        parsed = parse_authentication_credential_json(response_json)
    except VERIFY_ERRORS:
        return None
    credential = WebAuthnCredential.objects.filter(
        user=user, credential_id=bytes_to_base64url(parsed.raw_id)
    ).first()
    if credential is None:  # unknown, or another user's key
        return None
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(credential.public_key),
            # The counter is checked below, after the signature, so that a non-growing
            # counter on a valid signature can be told apart (and audited) as a cloned key.
            credential_current_sign_count=0,
            require_user_verification=False,
        )
    except VERIFY_ERRORS as exc:
        logger.info(
            "Security key assertion refused for user %s: %s", user.pk, safe_for_log(exc)
        )
        return None
    if _accept(user, credential, verified.new_sign_count, audit_origin):
        return credential
    record(
        Event.SECOND_FACTOR_FAILED,
        origin=audit_origin,
        subject=user,
        outcome=Outcome.FAILURE,
        data={
            "method": METHOD,
            "reason": "sign_count_not_increased",
            "key_name": credential.name,
            "stored_sign_count": credential.sign_count,
            "received_sign_count": verified.new_sign_count,
        },
    )
    logger.warning(
        "Security key %s of user %s: sign count did not increase (cloned key?)",
        credential.pk,
        user.pk,
    )
    return None


@transaction.atomic
def _accept(
    user: User, credential: WebAuthnCredential, new_sign_count: int, audit_origin: Origin
) -> bool:
    """Store the new counter with a conditional update: of two racing uses only one wins."""
    if not rules.sign_count_ok(credential.sign_count, new_sign_count):
        return False
    rows = WebAuthnCredential.objects.filter(pk=credential.pk)
    if new_sign_count > 0:
        rows = rows.filter(sign_count__lt=new_sign_count)
    else:
        rows = rows.filter(sign_count=0)
    now = timezone.now()
    if not rows.update(sign_count=new_sign_count, last_used_at=now):
        return False
    credential.sign_count, credential.last_used_at = new_sign_count, now
    record(
        Event.SECOND_FACTOR_OK,
        origin=audit_origin,
        subject=user,
        data={"method": METHOD, "key_name": credential.name},
    )
    return True


# --- removal ----------------------------------------------------------------------------------


def remove_credential(credential: WebAuthnCredential, *, actor: User, origin: Origin) -> None:
    """Remove a key; refused (LastFactorError) when it is the user's last second factor."""
    if not _remove_credential(credential, actor=actor, origin=origin):
        raise LastFactorError()


@transaction.atomic
def _remove_credential(credential: WebAuthnCredential, *, actor: User, origin: Origin) -> bool:
    # Lock the user, so two removals at once cannot both pass the last-factor check.
    user = User.objects.select_for_update().get(pk=credential.user_id)
    if not methods.can_remove_factor(user):
        return False
    deleted, _ = WebAuthnCredential.objects.filter(pk=credential.pk, user=user).delete()
    if not deleted:
        return True  # a concurrent request removed it already (and recorded it)
    if user.preferred_method == SecondFactor.WEBAUTHN and not methods.has_method(
        user, SecondFactor.WEBAUTHN
    ):
        # No key left: ask the next available method first (normally the SMS code).
        user.preferred_method = methods.default_method(user) or SecondFactor.SMS
        User.objects.filter(pk=user.pk).update(preferred_method=user.preferred_method)
    record_security_change(
        user, Event.WEBAUTHN_REMOVED, origin=origin, actor=actor, data={"name": credential.name}
    )
    return True
