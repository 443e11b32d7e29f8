"""The steps between a right password and a logged-in session, apart from the views."""

from __future__ import annotations

import time

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from verzuim.accounts import known_devices
from verzuim.accounts.actions import complete_login
from verzuim.accounts.models import SecondFactor, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import Origin
from verzuim.mfa import methods, pending, trust
from verzuim.mfa.exceptions import ResendLimitReached, ResendTooSoon
from verzuim.mfa.sms.actions import send_code

BACKEND = "verzuim.accounts.backends.TenantLoginBackend"
REGENERATE_FLAG = "backup_codes_regenerate"


def start_second_step(request: HttpRequest, user: User) -> HttpResponse:
    """After the password: skip on a trusted browser, else ask the user's default factor."""
    if trust.check(request, user) is not None:
        record(Event.TRUSTED_DEVICE_USED, origin=Origin.from_request(request), subject=user)
        return finish_login(request, user, "trusted_device")
    method = methods.default_method(user)
    if method is None:
        pending.clear(request)
        return render(request, "mfa/no_method.html", status=403)
    if method == SecondFactor.SMS:
        send_first_sms(request, user)
    return redirect(methods.login_url(method))


def send_first_sms(request: HttpRequest, user: User) -> None:
    """Send the login SMS for this attempt unless one was sent already."""
    state = pending.get(request)
    if state is None:
        return
    try:
        send_code(user, state[0].attempt_id, Origin.from_request(request))
    except (ResendTooSoon, ResendLimitReached):
        pass  # already sent for this attempt: the page offers a resend


def finish_login(
    request: HttpRequest, user: User, method: str, *, trust_device: bool = False
) -> HttpResponseRedirect:
    """The second factor was right: log in (new session key), remember when, go on."""
    next_url = pending.next_url(request)
    pending.clear(request)
    login(request, user, backend=BACKEND)  # new session key again
    now = time.time()
    request.session["auth_at"] = now
    request.session["seen_at"] = now
    request.session["mfa_at"] = 0 if method == "trusted_device" else now
    request.session["mfa_method"] = method
    complete_login(user, Origin.from_request(request), method=method)
    if method == "backup_code":
        request.session[REGENERATE_FLAG] = True
        response = redirect("mfa:backup-codes-new")
    else:
        response = redirect(next_url or "core:home")
    if trust_device and method != "trusted_device":
        trust.issue(request, response, user)
    if known_devices.nonce_for(request, user.tenant_id, user.username) is None:
        known_devices.remember(response, user.tenant_id, user.username)
    return response
