"""The steps between a right password and a logged-in session, apart from the views."""

from __future__ import annotations

import time

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from verzuim.accounts.actions import complete_login
from verzuim.accounts.models import User
from verzuim.core.request import Origin
from verzuim.mfa import pending
from verzuim.mfa.exceptions import ResendLimitReached, ResendTooSoon
from verzuim.mfa.sms.actions import send_code

BACKEND = "verzuim.accounts.backends.TenantLoginBackend"
REGENERATE_FLAG = "backup_codes_regenerate"


def start_second_step(request: HttpRequest, user: User) -> HttpResponse:
    """Ask the user's default second factor (SMS for now; more methods plug in here)."""
    state = pending.get(request)
    assert state is not None
    try:
        send_code(user, state[0].attempt_id, Origin.from_request(request))
    except (ResendTooSoon, ResendLimitReached):  # pragma: no cover - a fresh attempt has no sends
        pass
    return redirect("mfa:sms")


def finish_login(request: HttpRequest, user: User, method: str) -> HttpResponse:
    state = pending.get(request)
    next_url = state[0].next_url if state else ""
    pending.clear(request)
    login(request, user, backend=BACKEND)  # new session key again
    now = time.time()
    request.session["auth_at"] = now
    request.session["seen_at"] = now
    request.session["mfa_at"] = now
    request.session["mfa_method"] = method
    complete_login(user, Origin.from_request(request), method=method)
    if method == "backup_code":
        request.session[REGENERATE_FLAG] = True
        return redirect("mfa:backup-codes-new")
    return redirect(next_url or "core:home")

