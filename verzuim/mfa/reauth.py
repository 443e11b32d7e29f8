"""Re-authentication: changes to password, phone, factors or sessions need a recent full
authentication: the password and a second factor (ASVS V7.5.1), as at the login itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import Origin

View = Callable[..., HttpResponse]


#: When the password was confirmed on the re-authentication page; the second factor must
#: follow within PENDING_LOGIN_SECONDS, as at the login.
PASSWORD_AT = "reauth_password_at"


def mark_password_checked(request: HttpRequest) -> None:
    request.session[PASSWORD_AT] = time.time()


def password_checked(request: HttpRequest) -> bool:
    checked_at = float(request.session.get(PASSWORD_AT, 0))
    return time.time() - checked_at <= settings.PENDING_LOGIN_SECONDS


def mark_fresh(request: HttpRequest, method: str, *, audit: bool = True) -> None:
    # A new session key with the new privilege (ASVS 7.2.4), as after the login itself.
    request.session.pop(PASSWORD_AT, None)
    request.session.cycle_key()
    request.session["mfa_at"] = time.time()
    request.session["mfa_method"] = method
    if audit:
        record(Event.REAUTHENTICATED, origin=Origin.from_request(request),
               subject=request.user, data={"method": method})


def is_fresh(request: HttpRequest) -> bool:
    return time.time() - float(request.session.get("mfa_at", 0)) <= settings.REAUTH_SECONDS


def reauth_required(view: View) -> View:
    """Logged in, and a second factor checked within REAUTH_SECONDS; else ask for one."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_fresh(request):
            # A form posted without a fresh check is not replayed: after the check the user
            # comes back to the page, sees the form again and sends it once more.
            target = (
                request.get_full_path() if request.method == "GET" else reverse("settings:security")
            )
            return redirect(f"{reverse('mfa:reauth')}?{urlencode({'next': target})}")
        return view(request, *args, **kwargs)

    return wrapper
