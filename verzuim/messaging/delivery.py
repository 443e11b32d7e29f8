"""Delivering one queued message: claim it with a lease, send, record the outcome."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME
from django.utils import timezone
from django.utils.module_loading import import_string

from verzuim.core.logging import safe_for_log
from verzuim.messaging.backends.base import DeliveryError, is_local_outbox
from verzuim.messaging.models import Channel, OutgoingMessage, Status

logger = logging.getLogger(__name__)

SCRUBBED = "[removed after delivery]"


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    local_outbox: bool  # True: the development outbox has it, no real provider was involved


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failed tries: 10 s, 20 s, 40 s ... ≤ 1 h."""
    return int(min(10 * 2 ** max(attempts - 1, 0), 3600))


def claim(message_id: str) -> OutgoingMessage | None:
    """Take the message for this worker; None when it is sent, failed or leased elsewhere."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.MESSAGE_LEASE_SECONDS)
    claimable = OutgoingMessage.objects.filter(pk=message_id, next_attempt_at__lte=now).filter(
        status=Status.QUEUED
    ) | OutgoingMessage.objects.filter(pk=message_id, status=Status.SENDING, lease_until__lt=now)
    if not OutgoingMessage.objects.filter(pk__in=claimable.values("pk")).update(
        status=Status.SENDING, lease_until=lease
    ):
        return None
    return OutgoingMessage.objects.get(pk=message_id)


def _message_id_header(message: OutgoingMessage) -> str:
    """A Message-ID derived from the row id: the same on every try of this message, so a
    retry after a worker died mid-send is recognisable as the same e-mail (SMTP has no
    idempotency key; mail clients and many relays collapse duplicates by Message-ID)."""
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<{message.id}@{domain}>"


def _send_email(message: OutgoingMessage) -> Receipt:
    connection = get_connection(settings.MESSAGING_EMAIL_BACKEND)
    header_id = _message_id_header(message)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.sender,
        to=[message.to],
        headers={"X-Verzuim-Message-Id": str(message.id), "Message-ID": header_id},
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # smtplib and socket errors
        raise _email_error(exc) from exc
    return Receipt(header_id, is_local_outbox(connection))


def _email_error(exc: Exception) -> DeliveryError:
    """Only a refusal of every recipient with a 5xx reply is final; the rest is retried.

    The text names the error class and SMTP reply codes, never addresses or content.
    """
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _reply in exc.recipients.values()})
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return DeliveryError(f"{name}: {codes}", permanent=permanent)
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryError(f"{name}: {exc.smtp_code}")
    return DeliveryError(f"{name}: {safe_for_log(exc)}")


def _send_sms(message: OutgoingMessage) -> Receipt:
    backend = import_string(settings.SMS_BACKEND)()
    return Receipt(str(backend.send(message)), is_local_outbox(backend))


def deliver(message_id: str) -> Status | None:
    """Try to deliver once. Returns the new status, or None when there was nothing to do."""
    message = claim(message_id)
    if message is None:
        return None
    try:
        receipt = _send_email(message) if message.channel == Channel.EMAIL else _send_sms(message)
    except DeliveryError as exc:
        return _failed(message, str(exc), permanent=exc.permanent)
    except Exception as exc:
        logger.exception("Unexpected error delivering message %s", message.id)
        return _failed(message, f"{type(exc).__name__}", permanent=False)
    updates = {
        "status": Status.SENT,
        "sent_at": timezone.now(),
        "lease_until": None,
        "attempts": message.attempts + 1,
        "provider_id": receipt.provider_id[:100],
        "last_error": "",
    }
    if message.sensitive and not receipt.local_outbox:
        # The provider has it now; our queue keeps no readable code or link.
        updates.update(body=SCRUBBED, html_body="")
    OutgoingMessage.objects.filter(pk=message.pk).update(**updates)
    logger.info("Delivered %s message %s", message.channel, message.id)
    return Status.SENT


def _failed(message: OutgoingMessage, error: str, *, permanent: bool) -> Status:
    attempts = message.attempts + 1
    give_up = permanent or attempts >= settings.MESSAGE_MAX_ATTEMPTS
    status = Status.FAILED if give_up else Status.QUEUED
    next_at = timezone.now() + timedelta(seconds=retry_delay(attempts))
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=status,
        attempts=attempts,
        last_error=error[:500],
        lease_until=None,
        next_attempt_at=next_at,
    )
    logger.warning(
        "Delivery of %s message %s failed (attempt %d%s): %s",
        message.channel,
        message.id,
        attempts,
        ", giving up" if give_up else "",
        safe_for_log(error),
    )
    if not give_up:
        schedule_retry(str(message.id), next_at)
    return status


def schedule_retry(message_id: str, run_after: datetime) -> bool:
    """Enqueue a deferred delivery task when the task backend can defer; never raises.

    The worker's sweep (``due_message_ids``) retries due messages in any case, so this is
    only the fast path.
    """
    from verzuim.messaging.tasks import deliver_message

    try:
        if not deliver_message.get_backend().supports_defer:
            return False
        deliver_message.using(run_after=run_after).enqueue(message_id)
    except Exception:
        logger.warning(
            "Could not schedule the retry of message %s; the sweep will pick it up",
            message_id,
            exc_info=True,
        )
        return False
    return True


def due_message_ids(limit: int = 100) -> list[str]:
    """Messages that should be (re)tried now: queued and due, or stuck with an expired lease."""
    now = timezone.now()
    queued = OutgoingMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    stuck = OutgoingMessage.objects.filter(status=Status.SENDING, lease_until__lt=now)
    ids = (queued | stuck).order_by("created_at").values_list("id", flat=True)[:limit]
    return [str(i) for i in ids]


def deliver_due(limit: int = 100) -> int:
    """Deliver every due message in this process; returns how many were sent."""
    return sum(deliver(message_id) == Status.SENT for message_id in due_message_ids(limit))
