"""Thin views: bind a form, call one action, show one answer whatever the accounts are."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from verzuim.accounts.activation.forms import minimum_password_length
from verzuim.accounts.exceptions import TooManyAttempts
from verzuim.accounts.models import User
from verzuim.core.request import Origin
from verzuim.core.timefmt import humanise_seconds
from verzuim.messaging.actions import email_sender

from . import actions, state
from .forms import LoginNameRequestForm, NewPasswordForm, PasswordResetRequestForm
from .tokens import Verdict, decode_uid, reset_token


def _throttled(exc: TooManyAttempts) -> str:
    return _("You have asked too often. For your security you can try again in %(wait)s.") % {
        "wait": humanise_seconds(exc.retry_after)
    }


def _sent_context(request: HttpRequest) -> dict[str, str]:
    return {"sender_address": email_sender(request.tenant)}  # type: ignore[attr-defined]


def login_name(request: HttpRequest) -> HttpResponse:
    form = LoginNameRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.send_login_names(
                request.tenant,  # type: ignore[attr-defined]
                form.cleaned_data["email"],
                Origin.from_request(request),
            )
        except TooManyAttempts as exc:
            status = 429
            form.add_error(None, _throttled(exc))
        else:
            return render(
                request,
                "accounts/recovery/login_name_sent.html",
                {"email": form.cleaned_data["email"], **_sent_context(request)},
            )
    return render(request, "accounts/recovery/login_name.html", {"form": form}, status=status)


def password_request(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_password_reset(
                request.tenant,  # type: ignore[attr-defined]
                form.cleaned_data["username"],
                Origin.from_request(request),
            )
        except TooManyAttempts as exc:
            status = 429
            form.add_error(None, _throttled(exc))
        else:
            return render(
                request,
                "accounts/recovery/password_sent.html",
                {"valid_minutes": actions.valid_minutes(), **_sent_context(request)},
            )
    return render(request, "accounts/recovery/password.html", {"form": form}, status=status)


def _refuse(
    request: HttpRequest, user: User | None, reason: str, *, audit: bool = True
) -> HttpResponse:
    state.clear(request)
    if audit:
        actions.refuse_link(
            getattr(request, "tenant", None), user, reason, Origin.from_request(request)
        )
    no_session = reason == "no_session"
    return render(
        request,
        "accounts/recovery/link_invalid.html",
        {"no_session": no_session, "valid_minutes": actions.valid_minutes()},
        status=200 if no_session else 410,
    )


def link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Check the link, keep its token in the session and leave the URL that holds it."""
    tenant = request.tenant  # type: ignore[attr-defined]
    uid = decode_uid(uidb64)
    user = User.objects.filter(pk=uid, tenant=tenant).first() if uid is not None else None
    if user is None:
        return _refuse(request, None, "unknown_user")
    verdict = reset_token.verdict(user, token)
    if verdict is not Verdict.VALID:
        return _refuse(request, user, verdict.value)
    if not user.is_active:
        return _refuse(request, user, "inactive")
    if request.user.is_authenticated:
        logout(request)  # someone's session in this browser: never mix the two
    state.begin(request, user.pk, token)
    return redirect("recovery:set-password")


@sensitive_post_parameters("new_password1", "new_password2")
def set_password(request: HttpRequest) -> HttpResponse:
    current = state.get(request)
    if current is None:
        return _refuse(request, None, "no_session", audit=False)
    user = User.objects.filter(
        pk=current.user_id,
        tenant=request.tenant,  # type: ignore[attr-defined]
        is_active=True,
    ).first()
    if user is None:
        return _refuse(request, None, "unknown_user")
    verdict = reset_token.verdict(user, current.token)
    if verdict is not Verdict.VALID:
        return _refuse(request, user, f"form_{verdict.value}")
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_password(
                user,
                form.cleaned_data["new_password1"],
                Origin.from_request(request),
                token=current.token,
            )
        except actions.LinkUsed:
            return _refuse(request, user, "form_invalid")  # used by a parallel request
        state.clear(request)
        messages.success(
            request,
            _(
                "Your password has been changed. Log in with your login name and new "
                "password; after that we ask for your second step as usual."
            ),
        )
        return redirect("accounts:login")
    return render(
        request,
        "accounts/recovery/set_password.html",
        {"form": form, "reset_user": user, "min_length": minimum_password_length()},
    )
