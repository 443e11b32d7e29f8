"""Tenant admins edit their own tenant's manuals and FAQ (404 for anything else)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verzuim.accounts.models import User
from verzuim.core.request import Origin
from verzuim.help import actions
from verzuim.help.forms import FaqItemForm, ManualForm
from verzuim.help.models import FaqItem, HelpContent, Manual, Status
from verzuim.support.permissions import tenant_admin_required

KINDS: dict[str, tuple[type[HelpContent], type[Any]]] = {
    "faq": (FaqItem, FaqItemForm),
    "manual": (Manual, ManualForm),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _kind(kind: str) -> tuple[type[HelpContent], type[Any]]:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _get(request: HttpRequest, kind: str, pk: int) -> HelpContent:
    model, _form = _kind(kind)
    return get_object_or_404(model.objects.for_tenant(_user(request).tenant), pk=pk)


@tenant_admin_required
def content_list(request: HttpRequest) -> HttpResponse:
    tenant = _user(request).tenant
    return render(
        request,
        "help/manage/list.html",
        {
            "faq_items": FaqItem.objects.for_tenant(tenant).order_by("language", "order", "title"),
            "manuals": Manual.objects.for_tenant(tenant).order_by("language", "order", "title"),
        },
    )


@tenant_admin_required
def content_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    model, form_class = _kind(kind)
    instance = _get(request, kind, pk) if pk is not None else None
    form = form_class(request.POST or None, instance=instance, tenant=_user(request).tenant)
    if request.method == "POST" and form.is_valid():
        item = actions.save_help_content(
            form, actor=_user(request), origin=Origin.from_request(request)
        )
        messages.success(request, _("The help text has been saved."))
        return redirect("help:manage-edit", kind=kind, pk=item.pk)
    return render(
        request,
        "help/manage/edit.html",
        {
            "form": form,
            "kind": kind,
            "item": instance,
        },
    )


@tenant_admin_required
def content_preview(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return render(
        request,
        "help/manage/preview.html",
        {
            "item": _get(request, kind, pk),
            "kind": kind,
        },
    )


@require_POST
@tenant_admin_required
def content_status(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _get(request, kind, pk)
    status = request.POST.get("status", "")
    if status not in Status.values:
        raise Http404
    actions.set_help_status(item, status, actor=_user(request), origin=Origin.from_request(request))
    if status == Status.PUBLISHED:
        messages.success(request, _("The help text is published."))
    else:
        messages.success(request, _("The help text is now a draft and no longer shown."))
    return redirect("help:manage")
