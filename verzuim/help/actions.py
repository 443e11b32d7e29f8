"""Every write of the help centre: help texts and support requests, with audit and e-mail."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from verzuim.accounts.models import Role, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin
from verzuim.help.models import HelpContent, RequestStatus, Status, SupportRequest
from verzuim.messaging.actions import queue_email


def save_help_content(form: Any, *, actor: User, origin: Origin = SYSTEM) -> HelpContent:
    """Save a validated FAQ item or manual form of the actor's tenant."""
    with transaction.atomic():
        created = form.instance.pk is None
        item = form.save(commit=False)
        item.tenant = actor.tenant
        item.updated_by = actor
        item.save()
        _audit_content(item, actor, origin, "created" if created else "edited")
    return item


def set_help_status(
    item: HelpContent, status: str, *, actor: User, origin: Origin = SYSTEM
) -> HelpContent:
    if status not in Status.values:
        raise ValueError(status)
    with transaction.atomic():
        item.status = status
        item.updated_by = actor
        item.save(update_fields=["status", "updated_by", "updated_at"])
        _audit_content(item, actor, origin, status)
    return item


def _audit_content(item: HelpContent, actor: User, origin: Origin, change: str) -> None:
    record(
        Event.HELP_CONTENT_CHANGED,
        origin=origin,
        tenant=actor.tenant,
        actor=actor,
        data={
            "kind": item._meta.model_name,
            "id": item.pk,
            "slug": item.slug,
            "language": item.language,
            "change": change,
        },
    )


def create_support_request(
    user: User,
    *,
    subject: str,
    message: str,
    page: str = "",
    error_reference: str = "",
    screenshot: UploadedFile | None = None,
    screenshot_type: str = "",
    origin: Origin = SYSTEM,
) -> SupportRequest:
    with transaction.atomic():
        request = SupportRequest(
            tenant=user.tenant,
            user=user,
            login_name=user.username,
            email=user.email,
            subject=subject,
            message=message,
            page=page[:500],
            error_reference=error_reference[:9],
        )
        if screenshot is not None:
            request.screenshot_type = screenshot_type
            request.screenshot.save("screenshot", screenshot, save=False)
        request.save()
        record(
            Event.SUPPORT_REQUEST_CREATED,
            origin=origin,
            tenant=user.tenant,
            actor=user,
            subject=user,
            data={
                "request": request.pk,
                "reference": request.error_reference,
                "page": request.page,
                "screenshot": bool(request.screenshot),
            },
        )
        context = {"request": request, "user": user}
        queue_email(
            tenant=user.tenant, to=user.email, template="support_request_received", context=context
        )
        queue_email(
            tenant=user.tenant,
            to=user.tenant.support_email,
            template="support_request_new",
            context=context,
        )
    return request


def change_support_request_status(
    request: SupportRequest, status: str, *, actor: User, origin: Origin = SYSTEM
) -> bool:
    """Move a request to ``status``; e-mails the requester. False when nothing changed."""
    if status not in RequestStatus.values:
        raise ValueError(status)
    if actor.tenant_id != request.tenant_id or not actor.has_role(Role.SUPPORT):
        raise PermissionError("Only support of the same tenant may change a request.")
    with transaction.atomic():
        previous = request.status
        if previous == status:
            return False
        request.status = status
        request.save(update_fields=["status", "updated"])
        record(
            Event.SUPPORT_REQUEST_UPDATED,
            origin=origin,
            tenant=request.tenant,
            actor=actor,
            subject=request.user,
            data={"request": request.pk, "from": previous, "to": status},
        )
        if request.email:
            queue_email(
                tenant=request.tenant,
                to=request.email,
                template="support_request_status",
                context={"request": request, "user": request.user},
            )
    return True
