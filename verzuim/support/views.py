"""The support desk pages. Thin: bind a form, fetch through a scoped getter, call one action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verzuim.accounts.activation.actions import ActivationError
from verzuim.accounts.models import User
from verzuim.accounts.phone import mask_phone
from verzuim.core.reference import normalise_reference
from verzuim.core.request import Origin
from verzuim.mfa.backup_codes.actions import remaining_count
from verzuim.mfa.reauth import is_fresh
from verzuim.support import actions, export, queries
from verzuim.support.forms import (
    AuditFilterForm,
    ErrorLookupForm,
    PhoneResetForm,
    ReasonForm,
    SearchForm,
)
from verzuim.support.permissions import support_required

PAGE_SIZE = 50


def _support(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@support_required
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = [
            {
                "user": u,
                "status": queries.account_status(u),
                "status_label": queries.status_label(u),
            }
            for u in queries.search_users(_support(request), form.cleaned_data["q"])
        ]
    return render(
        request,
        "support/home.html",
        {"form": form, "results": results, "max_results": queries.MAX_RESULTS, "nav": "users"},
    )


def _user_context(support: User, user: User, **forms: Any) -> dict[str, Any]:
    status = queries.account_status(user)
    return {
        "subject": user,
        "status": status,
        "status_label": queries.status_label(user),
        "masked_phone": mask_phone(user.phone),
        "totp_devices": list(user.totp_devices.filter(confirmed_at__isnull=False)),
        "keys": list(user.webauthn_credentials.all()),
        "backup_codes_left": remaining_count(user),
        "session_count": user.sessions.filter(expire_date__gt=timezone.now()).count(),
        "trusted_count": user.trusted_devices.filter(expires_at__gt=timezone.now()).count(),
        "logins": queries.user_events(user, login=True),
        "events": queries.user_events(user, login=False, limit=20),
        "is_self": user.pk == support.pk,
        "forms": {
            "unblock": forms.get("unblock") or ReasonForm(prefix="unblock"),
            "invitation": forms.get("invitation") or ReasonForm(prefix="invitation"),
            "phone": forms.get("phone") or PhoneResetForm(prefix="phone"),
            "factors": forms.get("factors") or ReasonForm(prefix="factors"),
            "sessions": forms.get("sessions") or ReasonForm(prefix="sessions"),
            "deactivate": forms.get("deactivate") or ReasonForm(prefix="deactivate"),
        },
        "nav": "users",
    }


@support_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support = _support(request)
    user = queries.user_for_support(support, pk)
    return render(request, "support/user.html", _user_context(support, user))


Perform = Callable[[User, User, dict[str, Any], Origin], Any]

DONE_MESSAGES = {
    "unblock": gettext_lazy("The account is unblocked; the user has been notified by e-mail."),
    "invitation": gettext_lazy(
        "A new activation e-mail has been sent; older links no longer work."
    ),
    "phone": gettext_lazy(
        "The mobile number is reset. The user confirms it with an SMS code at the next login."
    ),
    "factors": gettext_lazy(
        "All authenticator apps, security keys and backup codes are removed. The user logs in "
        "with an SMS code and can add new ones."
    ),
    "sessions": gettext_lazy("All sessions of this user have ended."),
    "deactivate": gettext_lazy("The account is deactivated and its sessions have ended."),
}
NOT_APPLICABLE = {
    "unblock": gettext_lazy("This account is not blocked."),
    "invitation": gettext_lazy(
        "An invitation can only be sent to an active account that was never activated."
    ),
    "deactivate": gettext_lazy("This account is already deactivated."),
}


def _action_view(
    name: str, form_class: type[ReasonForm], perform: Perform, *, fresh: bool = False
) -> Callable[..., Any]:
    """``fresh``: a change of someone's phone or factors needs the support user's own
    second factor checked within the last minutes (as for one's own changes)."""

    @support_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        support = _support(request)
        user = queries.user_for_support(support, pk)
        if fresh and not is_fresh(request):
            messages.warning(
                request,
                _("Confirm it is you with your second factor, then send the form again."),
            )
            target = reverse("support:user", kwargs={"pk": user.pk})
            return redirect(f"{reverse('mfa:reauth')}?{urlencode({'next': target})}")
        form = form_class(request.POST, prefix=name)
        if not form.is_valid():
            messages.error(request, _("The action was not carried out: check the form below."))
            context = _user_context(support, user, **{name: form})
            context["open_action"] = name
            return render(request, "support/user.html", context, status=400)
        try:
            perform(support, user, form.cleaned_data, Origin.from_request(request))
        except actions.OwnAccount:
            messages.error(
                request, _("You cannot do this to your own account. Ask a colleague in support.")
            )
        except (actions.NotApplicable, ActivationError):
            messages.error(request, str(NOT_APPLICABLE.get(name, _("This does not apply here."))))
        else:
            messages.success(request, str(DONE_MESSAGES[name]))
        return redirect("support:user", pk=user.pk)

    view.__name__ = f"{name}_view"
    return view


unblock = _action_view(
    "unblock",
    ReasonForm,
    lambda s, u, d, o: actions.unblock(u, actor=s, reason=d["reason"], origin=o),
)
resend_invitation = _action_view(
    "invitation",
    ReasonForm,
    lambda s, u, d, o: actions.resend_invitation(u, actor=s, reason=d["reason"], origin=o),
)
reset_phone = _action_view(
    "phone",
    PhoneResetForm,
    lambda s, u, d, o: actions.reset_phone(u, d["phone"], actor=s, reason=d["reason"], origin=o),
    fresh=True,
)
reset_factors = _action_view(
    "factors",
    ReasonForm,
    lambda s, u, d, o: actions.reset_factors(u, actor=s, reason=d["reason"], origin=o),
    fresh=True,
)
end_sessions = _action_view(
    "sessions",
    ReasonForm,
    lambda s, u, d, o: actions.end_all_sessions(u, actor=s, reason=d["reason"], origin=o),
)
deactivate = _action_view(
    "deactivate",
    ReasonForm,
    lambda s, u, d, o: actions.deactivate(u, actor=s, reason=d["reason"], origin=o),
)


@support_required
def error_lookup(request: HttpRequest) -> HttpResponse:
    support = _support(request)
    form = ErrorLookupForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "nav": "errors", "searched": False}
    if form.is_valid():
        reference = normalise_reference(form.cleaned_data["code"])
        report = queries.find_error(support, reference) if reference else None
        actions.log_error_lookup(
            support,
            reference or form.cleaned_data["code"][:30],
            report,
            origin=Origin.from_request(request),
        )
        same_tenant_user = queries.report_user(support, report)
        context.update(
            searched=True, reference=reference, report=report, report_user=same_tenant_user
        )
    return render(request, "support/errors.html", context)


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@support_required
def audit_log(request: HttpRequest) -> HttpResponse:
    support = _support(request)
    form, filters = _audit_filters(request)
    page = Paginator(queries.audit_events(support, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "support/audit.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "audit"},
    )


@support_required
def audit_export(request: HttpRequest) -> HttpResponse:
    support = _support(request)
    form, filters = _audit_filters(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filter before exporting."))
        return redirect("support:audit")
    events = list(queries.audit_events(support, filters))
    content = "".join(export.render_csv(events))
    actions.log_audit_export(support, filters, len(events), origin=Origin.from_request(request))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
