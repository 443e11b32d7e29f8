from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.phone import mask_phone
from verzuim.accounts.views import render_blocked
from verzuim.core.request import Origin
from verzuim.core.timefmt import humanise_seconds
from verzuim.mfa import flow, pending
from verzuim.mfa.backup_codes import rules as backup_rules
from verzuim.mfa.backup_codes.actions import (
    generate_backup_codes,
    remaining_count,
    use_backup_code,
)
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid, ResendLimitReached, ResendTooSoon
from verzuim.mfa.forms import BackupCodeForm, ConfirmSavedForm, SmsCodeForm
from verzuim.mfa.login_step import failed_menu_context, method_required, pending_required
from verzuim.mfa.reauth import reauth_required
from verzuim.mfa.sms.actions import delivery_stalled, send_code, verify_code


@sensitive_post_parameters("code")
@pending_required
@method_required("sms")
def sms_verify(request: HttpRequest) -> HttpResponse:
    user = request.pending_user  # type: ignore[attr-defined]
    form = SmsCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        origin = Origin.from_request(request)
        try:
            verify_code(
                user,
                request.pending_login.attempt_id,  # type: ignore[attr-defined]
                form.cleaned_data["code"],
                origin,
            )
        except CodeInvalid as exc:
            form.add_error(
                "code",
                ngettext(
                    "This code is incorrect. Check the SMS and try again (%(n)d more try).",
                    "This code is incorrect. Check the SMS and try again (%(n)d more tries).",
                    exc.remaining or 0,
                )
                % {"n": exc.remaining or 0},
            )
        except CodeExpired:
            form.add_error(
                "code",
                _(
                    "This code is no longer valid. Request a new code under "
                    "“Login failed?” → “Send SMS again”."
                ),
            )
        except AccountBlocked:
            pending.clear(request)
            return render_blocked(request)
        else:
            return flow.finish_login(
                request, user, "sms", trust_device=bool(request.POST.get("trust_device"))
            )
    context = {
        "form": form,
        **failed_menu_context(request, "sms"),
        "sms_not_sent": delivery_stalled(user, request.pending_login.attempt_id),  # type: ignore[attr-defined]
    }
    return render(request, "mfa/sms_verify.html", context)


@require_POST
@pending_required
@method_required("sms")
def sms_resend(request: HttpRequest) -> HttpResponse:
    user = request.pending_user  # type: ignore[attr-defined]
    try:
        send_code(
            user,
            request.pending_login.attempt_id,  # type: ignore[attr-defined]
            Origin.from_request(request),
            resend=True,
        )
    except ResendTooSoon as exc:
        messages.warning(
            request,
            _("You can request a new SMS in %(wait)s.")
            % {"wait": humanise_seconds(exc.retry_after)},
        )
    except ResendLimitReached:
        messages.error(
            request,
            _(
                "You have requested the maximum number of SMS messages for this login. "
                "Use a backup code or contact support."
            ),
        )
    else:
        messages.success(
            request,
            _("A new code has been sent to %(phone)s. Earlier codes no longer work.")
            % {"phone": mask_phone(user.phone)},
        )
    return redirect("mfa:sms")


@sensitive_post_parameters("code")
@pending_required
def backup_code_verify(request: HttpRequest) -> HttpResponse:
    user = request.pending_user  # type: ignore[attr-defined]
    form = BackupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            left = use_backup_code(user, form.cleaned_data["code"], Origin.from_request(request))
        except CodeInvalid:
            form.add_error("code", _("This backup code is incorrect or has already been used."))
        except AccountBlocked:
            pending.clear(request)
            return render_blocked(request)
        else:
            response = flow.finish_login(
                request, user, "backup_code", trust_device=bool(request.POST.get("trust_device"))
            )
            messages.warning(
                request,
                ngettext(
                    "You logged in with a backup code; %(n)d code is left. Make a new set now, "
                    "so you are never left without one.",
                    "You logged in with a backup code; %(n)d codes are left. Make a new set now, "
                    "so you are never left without one.",
                    left,
                )
                % {"n": left},
            )
            return response
    context = {"form": form, **failed_menu_context(request, "backup_code")}
    return render(request, "mfa/backup_code_verify.html", context)


@reauth_required
def backup_codes_new(request: HttpRequest) -> HttpResponse:
    """Explain, then (POST) make a new set and show it once."""
    user = request.user
    if request.method == "POST" and "generate" in request.POST:
        codes = generate_backup_codes(user, origin=Origin.from_request(request), notify=True)  # type: ignore[arg-type]
        return render(
            request,
            "mfa/backup_codes_show.html",
            {
                "codes": [backup_rules.display(c) for c in codes],
                "form": ConfirmSavedForm(),
            },
        )
    return render(
        request,
        "mfa/backup_codes_new.html",
        {
            "remaining": remaining_count(user),  # type: ignore[arg-type]
            "after_backup_login": bool(request.session.get(flow.REGENERATE_FLAG)),
        },
    )


@require_POST
@login_required
def backup_codes_saved(request: HttpRequest) -> HttpResponse:
    form = ConfirmSavedForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Confirm that you saved the codes. If you lost them, make a new set.")
        )
        return redirect("mfa:backup-codes-new")
    request.session.pop(flow.REGENERATE_FLAG, None)
    messages.success(request, _("Your new backup codes are active; the old ones no longer work."))
    return redirect("core:home")
