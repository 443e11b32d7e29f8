"""Authenticator app: the login step, and adding or removing an app in the settings."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.models import SecondFactor, User
from verzuim.accounts.views import render_blocked, safe_next
from verzuim.core.request import Origin
from verzuim.mfa import flow, methods, pending
from verzuim.mfa.exceptions import CodeInvalid, CodeOutOfTime
from verzuim.mfa.forms import TotpCodeForm
from verzuim.mfa.login_step import failed_menu_context, pending_required
from verzuim.mfa.reauth import reauth_required
from verzuim.mfa.totp import actions, qr, rules
from verzuim.mfa.totp.forms import TotpAddForm
from verzuim.mfa.totp.models import TotpDevice

OVERVIEW = "/settings/security/"
COMMON_APPS = ("Google Authenticator", "Microsoft Authenticator")


def _wrong_code() -> str:
    return _("This code is incorrect. Check the time on your phone and try again.")


def out_of_time_message() -> str:
    return _(
        "This code has just expired. Enter the code your app shows now. If this keeps "
        "happening, set the time on your phone to automatic."
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@sensitive_post_parameters("code")
@pending_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    user = request.pending_user  # type: ignore[attr-defined]
    if not methods.has_method(user, SecondFactor.TOTP):
        # No confirmed app (or no longer allowed): go to a method the user does have.
        method = methods.default_method(user)
        if not method:
            return redirect("accounts:login")
        if method == SecondFactor.SMS:
            flow.send_first_sms(request, user)
        return redirect(methods.login_url(method))
    form = TotpCodeForm(request.POST or None)
    form.fields["code"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        try:
            actions.verify_totp_code(user, form.cleaned_data["code"], Origin.from_request(request))
        except CodeInvalid:
            form.add_error("code", _wrong_code())
        except CodeOutOfTime:
            form.add_error("code", out_of_time_message())
        except AccountBlocked:
            pending.clear(request)
            return render_blocked(request)
        else:
            return flow.finish_login(
                request,
                user,
                SecondFactor.TOTP,
                trust_device=bool(request.POST.get("trust_device")),
            )
    context = {"form": form, **failed_menu_context(request, SecondFactor.TOTP)}
    return render(request, "mfa/totp/verify.html", context)


@sensitive_post_parameters("code")
@never_cache  # the page shows the secret
@reauth_required
def totp_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    target = safe_next(request) or OVERVIEW
    if not user.tenant.allows(SecondFactor.TOTP):
        messages.error(
            request,
            _(
                "Your organisation does not allow authenticator apps. "
                "You log in with an SMS code or a security key."
            ),
        )
        return redirect(target)
    if request.method == "POST":
        device = actions.pending_device(user, _int(request.POST.get("setup")))
        if device is None:
            return _setup_expired(request, target)
        form = TotpAddForm(request.POST)
        if form.is_valid():
            try:
                actions.confirm_totp_device(
                    device,
                    form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    origin=Origin.from_request(request),
                )
            except CodeInvalid:
                form.add_error("code", _wrong_code())
            except actions.SetupExpired:
                return _setup_expired(request, target)
            else:
                messages.success(
                    request,
                    _(
                        "The authenticator app “%(name)s” has been added. From now on you can "
                        "log in with a code from this app."
                    )
                    % {"name": device.name},
                )
                return redirect(target)
    else:
        device = actions.resume_totp_setup(user)
        form = TotpAddForm(initial={"name": device.name})
    uri = rules.provisioning_uri(device.secret, issuer=user.tenant.name, account=user.username)
    return render(
        request,
        "mfa/totp/add.html",
        {
            "form": form,
            "device": device,
            "qr": qr.svg_image(uri),
            "key": rules.grouped_key(device.secret),
            "apps": COMMON_APPS,
            "next": target,
            "step_seconds": rules.STEP_SECONDS,
        },
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _setup_expired(request: HttpRequest, target: str) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This setup was replaced by a newer one, for example in another tab. "
            "Scan the QR code on this page and enter the new code."
        ),
    )
    return redirect(f"{reverse('mfa:totp-add')}?{urlencode({'next': target})}")


@require_http_methods(["GET", "POST"])
@reauth_required
def totp_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """POST removes; GET asks first (also where re-authentication returns the user to)."""
    user = _user(request)
    device = get_object_or_404(TotpDevice.objects.filter(user=user), pk=pk)
    if request.method == "GET":
        return render(request, "mfa/totp/remove.html", {"device": device})
    try:
        actions.remove_totp_device(device, actor=user, origin=Origin.from_request(request))
    except actions.LastFactorError:
        messages.error(
            request,
            _(
                "“%(name)s” is your only second step, so it cannot be removed. "
                "Add another way to log in first."
            )
            % {"name": device.name},
        )
    else:
        messages.success(
            request, _("The authenticator app “%(name)s” has been removed.") % {"name": device.name}
        )
    return redirect(OVERVIEW)
