"""The support-request form (any logged-in user) and the support desk's list of requests."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verzuim.accounts.models import User
from verzuim.core.request import Origin
from verzuim.help import actions, queries
from verzuim.help.forms import SupportRequestForm
from verzuim.help.models import RequestStatus
from verzuim.support.permissions import support_required

CREATED_SESSION_KEY = "help_support_request"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = SupportRequestForm(request.POST, request.FILES, tenant=user.tenant)
        if form.is_valid():
            data = form.cleaned_data
            support_request = actions.create_support_request(
                user,
                subject=data["subject"],
                message=data["message"],
                page=data["page"],
                error_reference=data["error_reference"],
                screenshot=data["screenshot"],
                screenshot_type=getattr(form, "screenshot_type", ""),
                origin=Origin.from_request(request),
            )
            request.session[CREATED_SESSION_KEY] = support_request.pk
            return redirect("help:contact-sent")
    else:
        page = queries.local_path(request.GET.get("from")) or queries.referer_path(request)
        reference = queries.checked_reference(user.tenant, request.GET.get("ref"))
        form = SupportRequestForm(
            tenant=user.tenant,
            initial={
                "page": page,
                "error_reference": reference or queries.last_error_reference(user),
            },
        )
    return render(request, "help/contact.html", {"form": form})


@login_required
def contact_sent(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(CREATED_SESSION_KEY)
    support_request = (
        queries.support_requests(_user(request).tenant).filter(pk=pk, user=_user(request)).first()
        if pk
        else None
    )
    if support_request is None:
        return redirect("help:contact")
    return render(request, "help/contact_sent.html", {"support_request": support_request})


@support_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    requests = queries.support_requests(_user(request).tenant)
    if status in RequestStatus.values:
        requests = requests.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "help/support/list.html",
        {
            "requests": requests[:200],
            "status": status,
            "statuses": RequestStatus.choices,
        },
    )


@support_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = queries.get_support_request(_user(request).tenant, pk)
    return render(
        request,
        "help/support/detail.html",
        {
            "support_request": support_request,
            "statuses": RequestStatus.choices,
        },
    )


@require_POST
@support_required
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = queries.get_support_request(_user(request).tenant, pk)
    status = request.POST.get("status", "")
    if status not in RequestStatus.values:
        raise Http404
    if actions.change_support_request_status(
        support_request, status, actor=_user(request), origin=Origin.from_request(request)
    ):
        messages.success(request, _("The status has been changed; the requester was e-mailed."))
    return redirect("help:support-request", pk=pk)


@support_required
def request_screenshot(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = queries.get_support_request(_user(request).tenant, pk)
    if not support_request.screenshot or support_request.screenshot_type not in {
        "image/png",
        "image/jpeg",
    }:
        raise Http404
    extension = "png" if support_request.screenshot_type == "image/png" else "jpg"
    response = FileResponse(
        support_request.screenshot.open("rb"),
        content_type=support_request.screenshot_type,
        as_attachment=False,
        filename=f"screenshot-{support_request.pk}.{extension}",
    )
    response["Content-Disposition"] = (
        f'inline; filename="screenshot-{support_request.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    # support_required is typed for HttpResponse; a streamed file is a StreamingHttpResponse.
    return cast(HttpResponse, response)
