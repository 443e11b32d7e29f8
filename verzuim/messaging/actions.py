"""Queueing messages. Callers never talk to a provider: they add a row and a task is
enqueued when their transaction commits, so a rolled-back action sends nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from verzuim.messaging.models import Channel, OutgoingMessage, Status

SUPERSEDED = "superseded by a newer message"


def _enqueue(message: OutgoingMessage) -> None:
    from verzuim.messaging.tasks import deliver_message

    # robust: a failing enqueue must not turn the caller's committed action into an error;
    # the row is saved and the worker's sweep delivers it anyway.
    transaction.on_commit(lambda: deliver_message.enqueue(str(message.id)), robust=True)


def email_sender(tenant: Any) -> str:
    return settings.DEFAULT_FROM_EMAIL


def queue_email(
    *,
    tenant: Any,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    sensitive: bool = False,
    language: str | None = None,
) -> OutgoingMessage:
    """Render ``emails/<template>/{subject.txt,body.txt,body.html}`` and queue it."""
    ctx = {"tenant": tenant, "sender_address": email_sender(tenant), **(context or {})}
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", ctx).split())
        body = render_to_string(f"emails/{template}/body.txt", ctx)
        html = render_to_string(f"emails/{template}/body.html", ctx)
    message = OutgoingMessage.objects.create(
        tenant=tenant,
        channel=Channel.EMAIL,
        to=to,
        sender=email_sender(tenant),
        subject=subject[:255],
        body=body,
        html_body=html,
        sensitive=sensitive,
    )
    _enqueue(message)
    return message


def queue_sms(*, tenant: Any, to: str, body: str, sensitive: bool = False) -> OutgoingMessage:
    message = OutgoingMessage.objects.create(
        tenant=tenant,
        channel=Channel.SMS,
        to=to,
        sender=tenant.sms_sender,
        body=body,
        sensitive=sensitive,
    )
    _enqueue(message)
    return message


def cancel_unsent(message_ids: Any) -> int:
    """Stop delivering messages that have not gone out yet (e.g. a code replaced by a new
    one); a message a worker is sending right now is left alone. Returns how many."""
    from verzuim.messaging.delivery import SCRUBBED

    return OutgoingMessage.objects.filter(pk__in=message_ids, status=Status.QUEUED).update(
        status=Status.FAILED, last_error=SUPERSEDED, body=SCRUBBED, html_body=""
    )
