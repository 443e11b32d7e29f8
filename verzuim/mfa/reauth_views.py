"""The re-authentication page: check a second factor again before a sensitive change."""

from __future__ import annotations

import uuid

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from verzuim.accounts.actions import check_password_step
from verzuim.accounts.exceptions import AccountBlocked, InvalidCredentials, TooManyAttempts
from verzuim.accounts.models import User
from verzuim.accounts.phone import mask_phone
from verzuim.accounts.views import render_blocked, safe_next
from verzuim.core.request import Origin
from verzuim.core.timefmt import humanise_seconds
from verzuim.mfa import methods
from verzuim.mfa.backup_codes.actions import remaining_count, use_backup_code
from verzuim.mfa.exceptions import (
    CodeExpired,
    CodeInvalid,
    CodeOutOfTime,
    ResendLimitReached,
    ResendTooSoon,
)
from verzuim.mfa.forms import BackupCodeForm, ReauthPasswordForm, SmsCodeForm, TotpCodeForm
from verzuim.mfa.reauth import mark_fresh, mark_password_checked, password_checked
from verzuim.mfa.sms.actions import send_code, verify_code
from verzuim.mfa.sms.models import SmsChallenge

ATTEMPT_KEY = "reauth_attempt"


def _attempt_id(request: HttpRequest) -> str:
    if ATTEMPT_KEY not in request.session:
        request.session[ATTEMPT_KEY] = uuid.uuid4().hex
    return str(request.session[ATTEMPT_KEY])


@sensitive_post_parameters()
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    origin = Origin.from_request(request)
    target = safe_next(request) or "/settings/security/"
    action = request.POST.get("action", "")
    password_form = ReauthPasswordForm(request.POST if action == "password" else None)
    status = 200
    if action == "password":
        if password_form.is_valid():
            try:
                checked = check_password_step(
                    user.tenant, user.username, password_form.cleaned_data["password"], origin
                )
            except InvalidCredentials:
                password_form.add_error("password", _("This password is incorrect."))
            except TooManyAttempts as exc:
                status = 429
                password_form.add_error(None, _(
                    "Too many failed attempts. For your security you can try again in %(wait)s."
                ) % {"wait": humanise_seconds(exc.retry_after)})
            except AccountBlocked:
                logout(request)
                return render_blocked(request)
            else:
                if checked.pk == user.pk:
                    mark_password_checked(request)
        action = ""
    elif not password_checked(request):
        action = ""  # the password comes first; a posted code is not even looked at
    sms_form = SmsCodeForm(request.POST if action == "sms" else None, prefix="sms")
    totp_form = TotpCodeForm(request.POST if action == "totp" else None, prefix="totp")
    backup_form = BackupCodeForm(request.POST if action == "backup" else None, prefix="backup")
    error = ""
    sms_sent = SmsChallenge.objects.filter(
        user=user, attempt_id=_attempt_id(request), purpose=SmsChallenge.Purpose.REAUTH
    ).exists()
    if action in ("sms-send", "sms") and not methods.has_method(user, "sms"):
        action = ""  # the tenant does not allow SMS
    if action == "totp" and not methods.has_method(user, "totp"):
        action = ""
    try:
        if action == "sms-send":
            send_code(
                user,
                _attempt_id(request),
                origin,
                purpose=SmsChallenge.Purpose.REAUTH,
                resend=sms_sent,
            )
            sms_sent = True
        elif action == "sms" and sms_form.is_valid():
            verify_code(
                user,
                _attempt_id(request),
                sms_form.cleaned_data["code"],
                origin,
                purpose=SmsChallenge.Purpose.REAUTH,
            )
            return _done(request, "sms", target)
        elif action == "totp" and totp_form.is_valid():
            from verzuim.mfa.totp.actions import verify_totp_code

            verify_totp_code(user, totp_form.cleaned_data["code"], origin)
            return _done(request, "totp", target)
        elif action == "backup" and backup_form.is_valid():
            use_backup_code(user, backup_form.cleaned_data["code"], origin)
            return _done(request, "backup_code", target)
    except CodeInvalid:
        error = _("This code is incorrect. Try again.")
    except CodeOutOfTime:
        from verzuim.mfa.totp.views import out_of_time_message

        error = out_of_time_message()
    except CodeExpired:
        error = _("This code is no longer valid. Send a new SMS.")
    except ResendTooSoon:
        error = _("An SMS was sent just now. Wait a moment before asking for another.")
    except ResendLimitReached:
        error = _("No more SMS messages can be sent now. Use another method.")
    except AccountBlocked:
        logout(request)
        return render_blocked(request)
    return render(
        request,
        "mfa/reauth.html",
        {
            "password_form": password_form,
            "password_checked": password_checked(request),
            "error": error,
            "next": target,
            "sms_form": sms_form,
            "totp_form": totp_form,
            "backup_form": backup_form,
            "sms_sent": sms_sent,
            "masked_phone": mask_phone(user.phone),
            "has_sms": methods.has_method(user, "sms"),
            "has_totp": methods.has_method(user, "totp"),
            "has_webauthn": methods.has_method(user, "webauthn"),
            "has_backup_codes": remaining_count(user) > 0,
        },
        status=status,
    )


def _done(request: HttpRequest, method: str, target: str) -> HttpResponse:
    request.session.pop(ATTEMPT_KEY, None)
    mark_fresh(request, method)
    return redirect(target)
