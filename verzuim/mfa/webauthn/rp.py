"""The relying party (this portal, per tenant host) and its one-time challenges.

Challenges are made by py_webauthn, kept in the server-side session (shared by every app
process) as base64url, one per ceremony ("register", "login", "reauth"), bound to the user
(and for a login to the pending attempt), taken out when used and valid for
``rules.CHALLENGE_SECONDS``.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from webauthn import generate_authentication_options, generate_registration_options
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    generate_challenge,
    options_to_json_dict,
)
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialHint,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from verzuim.accounts.models import User
from verzuim.mfa.webauthn import rules
from verzuim.mfa.webauthn.models import WebAuthnCredential
from verzuim.tenants.middleware import request_host

SESSION_KEY = "webauthn_challenges"
REGISTER, LOGIN, REAUTH = "register", "login", "reauth"
PURPOSES = (REGISTER, LOGIN, REAUTH)

# User verification (a PIN or fingerprint on the key) is *preferred*, not required: most
# YubiKeys have no PIN set, and the password already is the knowledge factor. A key with a PIN
# will ask for it; one without just needs a touch (user presence is always required).
USER_VERIFICATION = UserVerificationRequirement.PREFERRED


def rp_id(request: HttpRequest) -> str:
    """WEBAUTHN_RP_ID, or the host name the portal is reached on (without port).

    The host is already checked by ALLOWED_HOSTS and matched to a tenant by the middleware.
    """
    return str(settings.WEBAUTHN_RP_ID or request_host(request))


def rp_name(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return str(getattr(tenant, "name", "") or "Verzuimportaal")


def expected_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def user_handle(user: User) -> bytes:
    """A stable, opaque WebAuthn user id: no login name or e-mail address leaves the server."""
    return salted_hmac(
        "verzuim.mfa.webauthn.user-handle", str(user.pk), algorithm="sha256"
    ).digest()


def descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(cred.credential_id),
            transports=[AuthenticatorTransport(t) for t in rules.clean_transports(cred.transports)],
        )
        for cred in WebAuthnCredential.objects.filter(user=user)
    ]


# --- challenges -------------------------------------------------------------------------------


def new_challenge(request: HttpRequest, purpose: str, user: User, *, attempt: str = "") -> bytes:
    """A fresh challenge for this ceremony; it replaces an unused earlier one."""
    challenge = generate_challenge()
    store = dict(request.session.get(SESSION_KEY) or {})
    store[purpose] = {
        "challenge": bytes_to_base64url(challenge),
        "user": user.pk,
        "attempt": attempt,
        "at": time.time(),
    }
    request.session[SESSION_KEY] = store
    return challenge


def take_challenge(
    request: HttpRequest, purpose: str, user: User, *, attempt: str = ""
) -> bytes | None:
    """The challenge of this ceremony, removed from the session (single use).

    None when there is none, it is too old, or it was handed out to another user or login
    attempt.
    """
    store = dict(request.session.get(SESSION_KEY) or {})
    entry = store.pop(purpose, None)
    if store:
        request.session[SESSION_KEY] = store
    else:
        request.session.pop(SESSION_KEY, None)
    if not isinstance(entry, dict):
        return None
    if entry.get("user") != user.pk or entry.get("attempt", "") != attempt:
        return None
    if not rules.challenge_fresh(entry.get("at"), time.time()):
        return None
    try:
        return base64url_to_bytes(str(entry.get("challenge", "")))
    except ValueError:
        return None


# --- options for the browser ------------------------------------------------------------------


def registration_options(request: HttpRequest, user: User) -> dict[str, Any]:
    """Options for navigator.credentials.create(); the user's keys are excluded."""
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=rp_name(request),
        user_id=user_handle(user),
        user_name=user.username,
        user_display_name=user.get_full_name() or user.username,
        challenge=new_challenge(request, REGISTER, user),
        timeout=rules.CEREMONY_TIMEOUT_MS,
        supported_pub_key_algs=list(rules.SUPPORTED_ALGORITHMS),
        # We do not check who made the key (no attestation): any FIDO2 key will do, and
        # nothing identifying the model is asked of the user's browser.
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            # A second factor, not a passkey: no slot on the key is used up.
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=USER_VERIFICATION,
        ),
        exclude_credentials=descriptors(user),
        hints=[PublicKeyCredentialHint.SECURITY_KEY],
    )
    return options_to_json_dict(options)


def authentication_options(
    request: HttpRequest, user: User, purpose: str, *, attempt: str = ""
) -> dict[str, Any]:
    """Options for navigator.credentials.get(), allowing only this user's keys."""
    options = generate_authentication_options(
        rp_id=rp_id(request),
        challenge=new_challenge(request, purpose, user, attempt=attempt),
        timeout=rules.CEREMONY_TIMEOUT_MS,
        allow_credentials=descriptors(user),
        user_verification=USER_VERIFICATION,
    )
    return options_to_json_dict(options)
