"""Security-key pages and the JSON endpoints that static/js/webauthn.js talks to.

The JSON endpoints are CSRF-protected like every POST (the script sends the token from the
page as X-CSRFToken). They answer ``{"redirect": url}`` when the browser should move on and
``{"error": message}`` (status 400/403) when the page should say what went wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.models import SecondFactor, User
from verzuim.accounts.views import render_blocked, safe_next
from verzuim.core.request import Origin
from verzuim.mfa import flow, methods, pending
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid
from verzuim.mfa.login_step import failed_menu_context, method_required, pending_required
from verzuim.mfa.reauth import is_fresh, mark_fresh, password_checked, reauth_required
from verzuim.mfa.webauthn import actions, rp
from verzuim.mfa.webauthn.exceptions import (
    KeyAlreadyRegistered,
    KeyLimitReached,
    LastFactorError,
    RegistrationRefused,
)
from verzuim.mfa.webauthn.forms import KeyNameForm
from verzuim.mfa.webauthn.models import WebAuthnCredential

SETTINGS_URL = "/settings/security/"
BLOCKED_FLAG = "webauthn_blocked"
View = Callable[..., HttpResponse]


def _payload(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _error(message: str, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _go(url: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"redirect": url}, status=status)


def _as_json(response: HttpResponse) -> JsonResponse:
    """A redirect as {"redirect": url}, keeping the cookies it sets (a trusted browser)."""
    reply = _go(response["Location"])
    for key, morsel in response.cookies.items():
        reply.cookies[key] = morsel
    return reply


def _blocked(request: HttpRequest) -> JsonResponse:
    """The account was blocked just now: end the login and show the blocked page."""
    request.session[BLOCKED_FLAG] = True
    return _go(reverse("mfa:webauthn-blocked"), status=403)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- login step -------------------------------------------------------------------------------


@pending_required
@method_required(SecondFactor.WEBAUTHN)
def login_step(request: HttpRequest) -> HttpResponse:
    """The second step with a key: "Insert your security key and touch it"."""
    return render(request, "mfa/webauthn/login.html", failed_menu_context(request, "webauthn"))


def blocked(request: HttpRequest) -> HttpResponse:
    """Where the script goes when a failed key blocked the account (once per block)."""
    if not request.session.pop(BLOCKED_FLAG, False):
        return redirect("accounts:login")
    return render_blocked(request)


def _ceremony_user(request: HttpRequest, purpose: object) -> tuple[User, str] | JsonResponse:
    """Who is checked, and the login attempt the challenge belongs to; or the reply."""
    if purpose == rp.LOGIN:
        state = pending.get(request)
        if state is None:
            messages.info(request, _("Your login attempt has expired. Please log in again."))
            return _go(reverse("accounts:login"), status=403)
        return state[1], state[0].attempt_id
    if purpose == rp.REAUTH:
        if not request.user.is_authenticated:
            return _go(reverse("accounts:login"), status=403)
        if not password_checked(request):  # the password comes first (ASVS V7.5.1)
            back = safe_next(request) or SETTINGS_URL
            return _go(f"{reverse('mfa:reauth')}?{urlencode({'next': back})}", status=403)
        return _user(request), ""
    return _error(_("Something went wrong. Reload the page and try again."))


@require_POST
def auth_options(request: HttpRequest) -> JsonResponse:
    purpose = _payload(request).get("purpose")
    who = _ceremony_user(request, purpose)
    if isinstance(who, JsonResponse):
        return who
    user, attempt = who
    if not methods.has_method(user, SecondFactor.WEBAUTHN):
        return _error(_("No security key is registered for your account. Use another method."))
    return JsonResponse(rp.authentication_options(request, user, str(purpose), attempt=attempt))


@require_POST
def auth_verify(request: HttpRequest) -> JsonResponse:
    payload = _payload(request)
    purpose = payload.get("purpose")
    who = _ceremony_user(request, purpose)
    if isinstance(who, JsonResponse):
        return who
    user, attempt = who
    challenge = rp.take_challenge(request, str(purpose), user, attempt=attempt)
    if not methods.has_method(user, SecondFactor.WEBAUTHN):
        return _error(_("No security key is registered for your account. Use another method."))
    try:
        actions.authenticate_credential(
            user,
            payload.get("credential"),  # type: ignore[arg-type]
            challenge,
            rp_id=rp.rp_id(request),
            origin=rp.expected_origin(request),
            audit_origin=Origin.from_request(request),
        )
    except CodeExpired:
        return _error(_("Your security key took too long to answer. Try again."))
    except CodeInvalid:
        return _error(
            _(
                "This security key was not accepted. Use a key registered for your account, "
                "or choose another method."
            )
        )
    except AccountBlocked:
        if purpose == rp.LOGIN:
            pending.clear(request)
        else:
            logout(request)
        return _blocked(request)
    if purpose == rp.LOGIN:
        return _as_json(
            flow.finish_login(
                request, user, "webauthn", trust_device=bool(payload.get("trust_device"))
            )
        )
    mark_fresh(request, "webauthn")
    return _go(safe_next(request) or SETTINGS_URL)


# --- adding a key -----------------------------------------------------------------------------


def fresh_json_required(view: View) -> View:
    """reauth_required for the JSON endpoints: a 403 reply that says where to go instead."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _go(reverse("accounts:login"), status=403)
        if not is_fresh(request):
            back = reverse("mfa:webauthn-add")
            if safe_next(request):
                back += "?" + urlencode({"next": safe_next(request)})
            return _go(f"{reverse('mfa:reauth')}?{urlencode({'next': back})}", status=403)
        if not _user(request).tenant.allows(SecondFactor.WEBAUTHN):
            return _error(_("Security keys are not available in this portal."), status=403)
        return view(request, *args, **kwargs)

    return wrapper


@reauth_required
def add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.tenant.allows(SecondFactor.WEBAUTHN):
        messages.error(request, _("Security keys are not available in this portal."))
        return redirect("settings:security")
    count = WebAuthnCredential.objects.filter(user=user).count()
    default_name = _("Security key %(n)d") % {"n": count + 1} if count else _("Security key")
    return render(
        request,
        "mfa/webauthn/add.html",
        {"form": KeyNameForm(initial={"name": default_name}), "next": safe_next(request)},
    )


@require_POST
@fresh_json_required
def register_options(request: HttpRequest) -> JsonResponse:
    return JsonResponse(rp.registration_options(request, _user(request)))


@require_POST
@fresh_json_required
def register_verify(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    payload = _payload(request)
    challenge = rp.take_challenge(request, rp.REGISTER, user)
    form = KeyNameForm({"name": payload.get("name") or ""})
    if not form.is_valid():
        return _error(" ".join(str(e) for e in form.errors["name"]))
    name = form.cleaned_data["name"]
    try:
        actions.register_credential(
            user,
            payload.get("credential"),  # type: ignore[arg-type]
            challenge,
            name=name,
            rp_id=rp.rp_id(request),
            origin=rp.expected_origin(request),
            audit_origin=Origin.from_request(request),
        )
    except CodeExpired:
        return _error(_("Registering took too long. Try again."))
    except RegistrationRefused:
        return _error(_("The security key could not be registered. Try again."))
    except KeyAlreadyRegistered:
        return _error(_("This security key is already registered for your account."))
    except KeyLimitReached:
        return _error(_("You have the maximum number of security keys. Remove one first."))
    messages.success(
        request,
        _("Your security key “%(name)s” has been added. You can now log in with it.")
        % {"name": name},
    )
    return _go(safe_next(request) or SETTINGS_URL)


# --- removing a key ---------------------------------------------------------------------------


@reauth_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm (also where re-authentication leads back to); POST: remove."""
    user = _user(request)
    credential = get_object_or_404(WebAuthnCredential, pk=pk, user=user)
    if request.method == "POST":
        try:
            actions.remove_credential(credential, actor=user, origin=Origin.from_request(request))
        except LastFactorError:
            messages.error(
                request,
                _("This is your only second step. Add another method before removing it."),
            )
        else:
            messages.success(
                request,
                _("The security key “%(name)s” has been removed.") % {"name": credential.name},
            )
        return redirect("settings:security")
    return render(
        request,
        "mfa/webauthn/remove.html",
        {"credential": credential, "can_remove": methods.can_remove_factor(user)},
    )
