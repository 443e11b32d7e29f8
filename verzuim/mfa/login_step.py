"""Shared parts of the second-step pages (SMS, app, key, backup code)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from verzuim.accounts.phone import mask_phone
from verzuim.core.timefmt import humanise_seconds
from verzuim.mfa import methods, pending, trust
from verzuim.mfa.backup_codes.actions import remaining_count
from verzuim.mfa.sms.actions import resend_state

View = Callable[..., HttpResponse]


def pending_required(view: View) -> View:
    """Only for someone who just passed the password step.

    Sets ``request.pending_login`` and ``request.pending_user`` for the view.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = pending.get(request)
        if state is None:
            messages.info(request, _("Your login attempt has expired. Please log in again."))
            return redirect("accounts:login")
        request.pending_login, request.pending_user = state  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def method_required(method: str) -> Callable[[View], View]:
    """The step page of a method the user does not have (or the tenant forbids) sends them
    to a method they do have."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.pending_user  # type: ignore[attr-defined]
            if not methods.has_method(user, method):
                from verzuim.mfa import flow

                return flow.start_second_step(request, user)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def failed_menu_context(request: HttpRequest, current: str) -> dict[str, Any]:
    """Everything the "Inloggen mislukt?" menu and the trust checkbox need."""
    user = request.pending_user  # type: ignore[attr-defined]
    state = resend_state(user, request.pending_login.attempt_id)  # type: ignore[attr-defined]
    wait = state.seconds_left(timezone.now())
    return {
        "current_method": current,
        "user_masked_phone": mask_phone(user.phone),
        "sms_sent": state.sends > 0,
        "sms_capped": state.sends == 0 and current == "sms",
        "sms_allowed": methods.has_method(user, "sms"),
        "resend_possible": state.next_allowed_at is not None and wait == 0,
        "resend_wait": humanise_seconds(wait) if wait else "",
        "resend_at": state.next_allowed_at if wait else None,
        "resend_exhausted": state.next_allowed_at is None,
        "has_backup_codes": remaining_count(user) > 0,
        "other_methods": [m for m in methods.other_methods(user, current) if m["method"] != "sms"],
        "code_valid_minutes": settings.SMS_CODE_VALIDITY_SECONDS // 60,
        "trust_days": trust.offered(user),
    }
