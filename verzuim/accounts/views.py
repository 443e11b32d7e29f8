from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from verzuim.accounts import actions, known_devices
from verzuim.accounts.exceptions import AccountBlocked, InvalidCredentials, TooManyAttempts
from verzuim.accounts.forms import LoginForm
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import Origin
from verzuim.core.timefmt import humanise_seconds
from verzuim.mfa import pending
from verzuim.mfa.flow import start_second_step


def safe_next(request: HttpRequest) -> str:
    """The ``next`` parameter, only when it points into this portal."""
    try:
        posted = request.POST.get("next")
    except MultiPartParserError:  # a malformed form body (the view answers it on its own)
        posted = None
    target = posted or request.GET.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return ""


def render_blocked(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/blocked.html", status=403)


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request) or "core:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            tenant = request.tenant  # type: ignore[attr-defined]
            name = form.cleaned_data["username"]
            user = actions.check_password_step(
                tenant, name, form.cleaned_data["password"], Origin.from_request(request),
                device=known_devices.nonce_for(request, tenant.pk, name),
            )
        except InvalidCredentials:
            form.add_error(None, _("The login name or password is incorrect."))
        except TooManyAttempts as exc:
            status = 429
            form.add_error(
                None,
                _("Too many failed attempts. For your security you can try again in %(wait)s.")
                % {"wait": humanise_seconds(exc.retry_after)},
            )
        except AccountBlocked:
            return render_blocked(request)
        else:
            pending.begin(request, user, safe_next(request))
            return start_second_step(request, user)
    return render(
        request, "accounts/login.html", {"form": form, "next": safe_next(request)}, status=status
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(
            Event.LOGOUT,
            origin=Origin.from_request(request),
            actor=request.user,
            subject=request.user,
        )
    logout(request)
    messages.success(request, _("You have been logged out."))
    return redirect("accounts:login")


@require_POST
@login_required
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    actions.logout_everywhere(request.user, Origin.from_request(request))  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("You have been logged out on all your devices."))
    return redirect("accounts:login")
