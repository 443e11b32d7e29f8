"""The first login, step by step: link → password → mobile number → extra factor → codes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from verzuim.accounts import known_devices
from verzuim.accounts.actions import complete_login
from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.models import SecondFactor, User
from verzuim.accounts.phone import mask_phone
from verzuim.accounts.views import render_blocked
from verzuim.audit.actions import record
from verzuim.audit.models import Event, Outcome
from verzuim.core.request import Origin
from verzuim.core.timefmt import humanise_seconds
from verzuim.mfa.backup_codes import rules as backup_rules
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid, ResendLimitReached, ResendTooSoon
from verzuim.mfa.flow import BACKEND
from verzuim.mfa.forms import ConfirmSavedForm, SmsCodeForm
from verzuim.mfa.sms.actions import resend_state, send_code, verify_code
from verzuim.mfa.sms.models import SmsChallenge

from . import actions, state
from .forms import InitialPasswordForm, minimum_password_length
from .tokens import Verdict, activation_token, decode_uid

View = Callable[..., HttpResponse]
CONFIRM_PHONE = SmsChallenge.Purpose.CONFIRM_PHONE


def _step_context(step: str, **extra: Any) -> dict[str, Any]:
    return {
        "step": step,
        "step_number": state.STEP_NUMBERS[step],
        "step_count": state.STEP_COUNT,
        **extra,
    }


def _refuse(
    request: HttpRequest, user: User | None, reason: str, *, audit: bool = True
) -> HttpResponse:
    """The link (or the activation it started) no longer works: say so and what to do."""
    state.clear(request)
    if audit:
        record(
            Event.ACTIVATION_LINK_REFUSED,
            origin=Origin.from_request(request),
            tenant=getattr(request, "tenant", None),
            subject=user,
            outcome=Outcome.FAILURE,
            data={"reason": reason},
        )
    return render(
        request,
        "accounts/activation/link_invalid.html",
        {
            "no_session": reason == "no_session",
            "valid_days": actions.link_valid_days(),
            "valid_hours": actions.link_valid_hours(),
        },
        status=200 if reason == "no_session" else 410,
    )


# --- the link ---------------------------------------------------------------------------


def link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Check the link, keep its token in the session and leave the URL that holds it."""
    tenant = request.tenant  # type: ignore[attr-defined]
    uid = decode_uid(uidb64)
    user = User.objects.filter(pk=uid, tenant=tenant).first() if uid is not None else None
    if user is None:
        return _refuse(request, None, "unknown_user")
    verdict = activation_token.verdict(user, token)
    if user.activated_at is not None:
        return _refuse(request, user, "already_activated")
    if verdict is not Verdict.VALID:
        return _refuse(request, user, verdict.value)
    if not user.is_active:
        return _refuse(request, user, "inactive")
    if user.is_blocked:
        record(
            Event.ACTIVATION_LINK_REFUSED,
            origin=Origin.from_request(request),
            subject=user,
            outcome=Outcome.FAILURE,
            data={"reason": "blocked"},
        )
        return render_blocked(request)
    if request.user.is_authenticated:
        logout(request)  # someone else's session in this browser: never mix the two
    state.begin(request, user.pk, token)
    return redirect(state.URL_NAMES[state.PASSWORD])


def link_step_required(step: str) -> Callable[[View], View]:
    """Steps 1 and 2: the user is not logged in; the token in the session must still hold.

    Sets ``request.activation_state`` and ``request.activation_user``.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            current = state.get(request)
            if current is None:
                return _refuse(request, None, "no_session", audit=False)
            if current.step != step:
                return redirect(state.URL_NAMES[current.step])
            user = User.objects.filter(
                pk=current.user_id,
                tenant=request.tenant,  # type: ignore[attr-defined]
                is_active=True,
            ).first()
            if user is None or not activation_token.check_token(user, current.token):
                return _refuse(request, user, f"{step}_step_token")
            if user.is_blocked:
                state.clear(request)
                return render_blocked(request)
            if step == state.PHONE and time.time() - current.since > settings.PENDING_LOGIN_SECONDS:
                state.clear(request)
                messages.info(
                    request,
                    _(
                        "Your password has been saved, but this page has expired. Log in with "
                        "your login name and new password; we will then send you a new SMS code."
                    ),
                )
                return redirect("accounts:login")
            request.activation_state = current  # type: ignore[attr-defined]
            request.activation_user = user  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def activation_login_required(view: View) -> View:
    """Steps 3 and 4: logged in, and the activation not finished yet."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(user, User)
        current = state.get(request)
        ours = current is not None and current.user_id == user.pk
        if current is None or not ours or current.step not in state.LOGGED_IN_STEPS:
            if user.activated_at is not None:
                return redirect("core:home")
            # Logged in normally after the password was set: pick up where it stopped.
            current = state.ActivationState(user_id=user.pk, step=state.FACTOR)
            state.save(request, current)
        request.activation_state = current  # type: ignore[attr-defined]
        return view(request, user, current, *args, **kwargs)

    return wrapper


# --- step 1: password --------------------------------------------------------------------


@sensitive_post_parameters("new_password1", "new_password2")
@link_step_required(state.PASSWORD)
def password(request: HttpRequest) -> HttpResponse:
    user: User = request.activation_user  # type: ignore[attr-defined]
    current: state.ActivationState = request.activation_state  # type: ignore[attr-defined]
    form = InitialPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        origin = Origin.from_request(request)
        try:
            actions.set_initial_password(
                user, form.cleaned_data["new_password1"], origin, token=current.token
            )
        except actions.LinkUsed:
            return _refuse(request, user, "password_step_token")  # used by a parallel request
        # The link's token died with the old password hash; a fresh one guards step 2.
        current.step = state.PHONE
        current.token = activation_token.make_token(user)
        current.attempt_id = uuid.uuid4().hex
        current.since = time.time()
        state.save(request, current)
        _send_code(request, user, current, origin, resend=False)
        return redirect(state.URL_NAMES[state.PHONE])
    return render(
        request,
        "accounts/activation/password.html",
        _step_context(
            state.PASSWORD, form=form, activation_user=user, min_length=minimum_password_length()
        ),
    )


# --- step 2: mobile number ---------------------------------------------------------------


def _send_code(
    request: HttpRequest,
    user: User,
    current: state.ActivationState,
    origin: Origin,
    *,
    resend: bool,
) -> bool:
    try:
        send_code(
            user,
            current.attempt_id,
            origin,
            purpose=CONFIRM_PHONE,
            phone=user.phone,
            resend=resend,
        )
    except ResendTooSoon as exc:
        if resend:
            messages.warning(
                request,
                _("You can request a new SMS in %(wait)s.")
                % {"wait": humanise_seconds(exc.retry_after)},
            )
        return False
    except ResendLimitReached:
        if resend:
            messages.error(
                request,
                _(
                    "No more SMS messages can be sent right now. Contact support if the "
                    "codes do not arrive."
                ),
            )
        return False
    return True


@sensitive_post_parameters("code")
@link_step_required(state.PHONE)
def phone(request: HttpRequest) -> HttpResponse:
    user: User = request.activation_user  # type: ignore[attr-defined]
    current: state.ActivationState = request.activation_state  # type: ignore[attr-defined]
    origin = Origin.from_request(request)
    action = request.POST.get("action", "code")
    form = SmsCodeForm(request.POST if request.method == "POST" and action == "code" else None)
    if request.method == "POST" and action == "resend":
        if _send_code(request, user, current, origin, resend=True):
            messages.success(
                request,
                _("A new code has been sent to %(phone)s. Earlier codes no longer work.")
                % {"phone": mask_phone(user.phone)},
            )
        return redirect(state.URL_NAMES[state.PHONE])
    if request.method == "POST" and form.is_valid():
        try:
            verify_code(
                user, current.attempt_id, form.cleaned_data["code"], origin, purpose=CONFIRM_PHONE
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
                _("This code is no longer valid. Ask for a new code with the button below."),
            )
        except AccountBlocked:
            state.clear(request)
            return render_blocked(request)
        else:
            return _log_in(request, user, origin)
    sent = resend_state(user, current.attempt_id, CONFIRM_PHONE)
    wait = sent.seconds_left(timezone.now())
    return render(
        request,
        "accounts/activation/phone.html",
        _step_context(
            state.PHONE,
            form=form,
            masked_phone=mask_phone(user.phone),
            sms_sent=sent.sends > 0,
            resend_possible=sent.next_allowed_at is not None and wait == 0,
            resend_wait=humanise_seconds(wait) if wait else "",
            resend_at=sent.next_allowed_at if wait else None,
            resend_exhausted=sent.next_allowed_at is None,
            code_valid_minutes=settings.SMS_CODE_VALIDITY_SECONDS // 60,
        ),
    )


def _log_in(request: HttpRequest, user: User, origin: Origin) -> HttpResponse:
    """The right code: the number is confirmed and, as the second factor, logs the user in."""
    actions.confirm_phone(user, origin)
    state.clear(request)
    login(request, user, backend=BACKEND)  # a new session key
    now = time.time()
    request.session["auth_at"] = now
    request.session["seen_at"] = now
    request.session["mfa_at"] = now
    request.session["mfa_method"] = SecondFactor.SMS.value
    complete_login(user, origin, method=SecondFactor.SMS.value)
    state.save(request, state.ActivationState(user_id=user.pk, step=state.FACTOR))
    messages.success(request, _("Your mobile number has been confirmed."))
    response = redirect(state.URL_NAMES[state.FACTOR])
    known_devices.remember(response, user.tenant_id, user.username)
    return response


# --- step 3: optional extra factor --------------------------------------------------------


def _add_url(name: str) -> str | None:
    """The page of another developer's factor, when it exists, returning to step 4."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?next={reverse(state.URL_NAMES[state.BACKUP_CODES])}"


@activation_login_required
def factor(request: HttpRequest, user: User, current: state.ActivationState) -> HttpResponse:
    if user.phone_verified_at is None and request.session.get("mfa_method") == "sms":
        # Resumed after a normal login: the login code went to the number on file.
        actions.confirm_phone(user, Origin.from_request(request))
    if current.step != state.FACTOR:
        current.step = state.FACTOR
        state.save(request, current)
    options = []
    tenant = user.tenant
    if tenant.allows(SecondFactor.TOTP):
        url = _add_url("mfa:totp-add")
        if url:
            options.append({"method": "totp", "url": url})
    if tenant.allows(SecondFactor.WEBAUTHN):
        url = _add_url("mfa:webauthn-add")
        if url:
            options.append({"method": "webauthn", "url": url})
    return render(
        request,
        "accounts/activation/factor.html",
        _step_context(state.FACTOR, options=options),
    )


# --- step 4: backup codes ----------------------------------------------------------------


@activation_login_required
def backup_codes(request: HttpRequest, user: User, current: state.ActivationState) -> HttpResponse:
    """GET explains; POST makes a set and shows it once. Reloading never makes a set silently."""
    if current.step != state.BACKUP_CODES:
        current.step = state.BACKUP_CODES
        state.save(request, current)
    if request.method == "POST":
        made_before = current.codes_made
        codes = generate_backup_codes(user, origin=Origin.from_request(request))
        current.codes_made = True
        state.save(request, current)
        return render(
            request,
            "accounts/activation/backup_codes_show.html",
            _step_context(
                state.BACKUP_CODES,
                codes=[backup_rules.display(c) for c in codes],
                form=ConfirmSavedForm(),
                made_before=made_before,
            ),
        )
    return render(
        request,
        "accounts/activation/backup_codes.html",
        _step_context(state.BACKUP_CODES, codes_made=current.codes_made, form=ConfirmSavedForm()),
    )


@require_POST
@activation_login_required
def finish(request: HttpRequest, user: User, current: state.ActivationState) -> HttpResponse:
    if not current.codes_made:
        messages.error(request, _("First make your backup codes."))
        return redirect(state.URL_NAMES[state.BACKUP_CODES])
    if not ConfirmSavedForm(request.POST).is_valid():
        messages.error(
            request,
            _(
                "Tick the box to confirm that you have saved your backup codes. "
                "Did you lose them? Make new codes."
            ),
        )
        return redirect(state.URL_NAMES[state.BACKUP_CODES])
    actions.complete_activation(user, Origin.from_request(request))
    state.clear(request)
    messages.success(
        request,
        _("Welcome to %(portal)s! Your account is ready.") % {"portal": user.tenant.name},
    )
    return redirect("core:home")
