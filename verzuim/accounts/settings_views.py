"""Instellingen → Beveiliging: the user's own password, phone, factors and sessions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from verzuim.accounts import phone_recovery
from verzuim.accounts import security_actions as actions
from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.forms import PasswordChangeForm, PhoneChangeForm
from verzuim.accounts.models import SecondFactor, User, UserSession
from verzuim.accounts.phone import mask_phone
from verzuim.accounts.user_agents import describe
from verzuim.accounts.views import render_blocked
from verzuim.audit.models import AuditEvent
from verzuim.core.request import Origin
from verzuim.core.timefmt import humanise_seconds
from verzuim.mfa import methods
from verzuim.mfa.backup_codes.actions import remaining_count
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid, ResendLimitReached, ResendTooSoon
from verzuim.mfa.forms import SmsCodeForm
from verzuim.mfa.reauth import reauth_required
from verzuim.mfa.sms.actions import send_code, verify_code
from verzuim.mfa.sms.models import SmsChallenge

PHONE_CHANGE_KEY = "phone_change"
OVERVIEW = "settings:security"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _sessions(request: HttpRequest, user: User) -> list[dict[str, Any]]:
    rows = UserSession.objects.filter(user=user, expire_date__gt=timezone.now()).order_by(
        "-last_activity"
    )
    sessions = []
    for row in rows:
        browser, system = describe(row.user_agent)
        sessions.append(
            {
                "handle": actions.session_handle(row.session_key),
                "current": row.session_key == request.session.session_key,
                "browser": browser,
                "system": system,
                "ip": row.ip,
                "last_activity": row.last_activity,
            }
        )
    return sessions


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    trusted = []
    for device in user.trusted_devices.filter(expires_at__gt=timezone.now()):
        browser, system = describe(device.user_agent)
        trusted.append(
            {
                "browser": browser,
                "system": system,
                "ip": device.ip,
                "until": device.expires_at,
                "last_used_at": device.last_used_at,
            }
        )
    return render(
        request,
        "accounts/settings/security.html",
        {
            "masked_phone": mask_phone(user.phone),
            "methods": [
                {"value": m, "label": methods.LABELS[SecondFactor(m)]}
                for m in methods.available_methods(user)
            ],
            "default_method": methods.default_method(user),
            "totp_devices": user.totp_devices.filter(confirmed_at__isnull=False),
            "keys": user.webauthn_credentials.all(),
            "can_remove": methods.can_remove_factor(user),
            "allows_totp": user.tenant.allows(SecondFactor.TOTP),
            "allows_webauthn": user.tenant.allows(SecondFactor.WEBAUTHN),
            "backup_codes_left": remaining_count(user),
            "sessions": _sessions(request, user),
            "trusted": trusted,
            "events": AuditEvent.objects.filter(subject=user).order_by("-at", "-id")[:25],
        },
    )


@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@reauth_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ended = actions.change_password(
            user,
            form.cleaned_data["new_password1"],
            origin=Origin.from_request(request),
            keep_session_key=request.session.session_key or "",
        )
        update_session_auth_hash(request, user)
        messages.success(
            request,
            ngettext(
                "Your password has been changed. %(n)d other session was ended.",
                "Your password has been changed. %(n)d other sessions were ended.",
                ended,
            )
            % {"n": ended},
        )
        return redirect(OVERVIEW)
    return render(request, "accounts/settings/password.html", {"form": form})


@sensitive_post_parameters("code")
@reauth_required
def phone_change(request: HttpRequest) -> HttpResponse:
    """Step 1: the new number; step 2: the code sent to it. Only then is the number replaced."""
    user = _user(request)
    origin = Origin.from_request(request)
    pending = request.session.get(PHONE_CHANGE_KEY)
    action = request.POST.get("action")
    phone_form = PhoneChangeForm(user, request.POST if action == "number" else None)
    code_form = SmsCodeForm(request.POST if action == "code" else None)
    try:
        if action == "cancel":
            request.session.pop(PHONE_CHANGE_KEY, None)
            return redirect(OVERVIEW)
        if action == "number" and phone_form.is_valid():
            pending = {"phone": phone_form.cleaned_data["phone"], "attempt": uuid.uuid4().hex}
            request.session[PHONE_CHANGE_KEY] = pending
            _send(user, pending, origin, resend=False)
            return redirect("settings:phone")
        if action == "resend" and pending:
            _send(user, pending, origin, resend=True)
            messages.success(request, _("A new code has been sent."))
            return redirect("settings:phone")
        if action == "code" and pending and code_form.is_valid():
            verify_code(
                user,
                pending["attempt"],
                code_form.cleaned_data["code"],
                origin,
                purpose=SmsChallenge.Purpose.CONFIRM_PHONE,
            )
            request.session.pop(PHONE_CHANGE_KEY, None)
            if phone_recovery.needs_email_link(request.session.get("mfa_method")):
                phone_recovery.send_link(user, pending["phone"], origin=origin)
                return render(
                    request, "accounts/settings/phone_link_sent.html", {"email": user.email}
                )
            actions.change_phone(user, pending["phone"], origin=origin)
            messages.success(
                request,
                _("Your mobile number has been changed to %(phone)s.")
                % {"phone": mask_phone(user.phone)},
            )
            return redirect(OVERVIEW)
    except CodeInvalid as exc:
        code_form.add_error(
            "code",
            ngettext(
                "This code is incorrect (%(n)d more try).",
                "This code is incorrect (%(n)d more tries).",
                exc.remaining or 0,
            )
            % {"n": exc.remaining or 0},
        )
    except CodeExpired:
        code_form.add_error("code", _("This code is no longer valid. Send a new code."))
    except ResendTooSoon as exc:
        messages.warning(
            request,
            _("Wait %(wait)s before asking for a new code.")
            % {"wait": humanise_seconds(exc.retry_after)},
        )
    except ResendLimitReached:
        messages.error(
            request,
            _("No more codes can be sent for this change. Start again later or contact support."),
        )
    except AccountBlocked:
        from django.contrib.auth import logout

        logout(request)
        return render_blocked(request)
    return render(
        request,
        "accounts/settings/phone.html",
        {
            "phone_form": phone_form,
            "code_form": code_form,
            "pending_phone": mask_phone(pending["phone"]) if pending else "",
            "current_phone": mask_phone(user.phone),
        },
    )


def _send(user: User, pending: dict[str, str], origin: Origin, *, resend: bool) -> None:
    send_code(
        user,
        pending["attempt"],
        origin,
        purpose=SmsChallenge.Purpose.CONFIRM_PHONE,
        phone=pending["phone"],
        resend=resend,
    )


@require_POST
@reauth_required
def default_method(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        actions.set_default_method(
            user, request.POST.get("method", ""), origin=Origin.from_request(request)
        )
    except actions.MethodNotAvailable:
        messages.error(request, _("That method is not set up for your account."))
    else:
        messages.success(request, _("Your default login method has been saved."))
    return redirect(OVERVIEW)


@require_POST
@reauth_required  # ending sessions needs a fresh check (ASVS V7.5.2)
def session_end(request: HttpRequest) -> HttpResponse:
    ended = actions.end_session(
        _user(request),
        request.POST.get("session", ""),
        origin=Origin.from_request(request),
        current_key=request.session.session_key or "",
    )
    if ended:
        messages.success(request, _("The session has been ended."))
    else:
        messages.error(request, _("That session had already ended."))
    return redirect(OVERVIEW)


@require_POST
@reauth_required  # ending sessions needs a fresh check (ASVS V7.5.2)
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    count = actions.end_other_sessions(
        _user(request),
        origin=Origin.from_request(request),
        current_key=request.session.session_key or "",
    )
    messages.success(
        request,
        ngettext(
            "%(n)d other session has been ended.", "%(n)d other sessions have been ended.", count
        )
        % {"n": count},
    )
    return redirect(OVERVIEW)


@require_POST
@login_required
def trusted_revoke(request: HttpRequest) -> HttpResponse:
    actions.revoke_trusted_devices(_user(request), origin=Origin.from_request(request))
    messages.success(
        request, _("No browser is trusted any more: every login asks for the second step again.")
    )
    return redirect(OVERVIEW)


@login_required
def phone_recovery_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link that finishes a phone change made after a backup-code check."""
    user = _user(request)
    try:
        new_phone = phone_recovery.new_phone_from(token, user)
    except phone_recovery.LinkInvalid:
        return render(request, "accounts/settings/phone_link_invalid.html", status=410)
    if request.method == "POST":
        phone_recovery.complete(user, token, origin=Origin.from_request(request))
        messages.success(
            request,
            _("Your mobile number has been changed to %(phone)s.")
            % {"phone": mask_phone(user.phone)},
        )
        return redirect(OVERVIEW)
    return render(
        request, "accounts/settings/phone_link_confirm.html", {"new_phone": mask_phone(new_phone)}
    )
