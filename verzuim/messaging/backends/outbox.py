"""Development backends: messages land in the local outbox table instead of the world."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from verzuim.messaging.models import Channel, OutboxMessage, OutgoingMessage


class OutboxSmsBackend:
    local_outbox = True

    def send(self, message: OutgoingMessage) -> str:
        OutboxMessage.objects.get_or_create(
            message_id=message.id,
            defaults={
                "channel": Channel.SMS,
                "to": message.to,
                "sender": message.sender,
                "body": message.body,
            },
        )
        return f"outbox-{message.id}"


class OutboxEmailBackend(BaseEmailBackend):
    """A Django e-mail backend that stores each message in the outbox (idempotent per id)."""

    local_outbox = True

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for email in email_messages:
            html = ""
            if isinstance(email, EmailMultiAlternatives):
                for content, mimetype in email.alternatives:
                    if mimetype == "text/html":
                        html = str(content)
            message_id: Any = email.extra_headers.get("X-Verzuim-Message-Id")
            for to in email.to:
                OutboxMessage.objects.get_or_create(
                    message_id=message_id,
                    defaults={
                        "channel": Channel.EMAIL,
                        "to": to,
                        "sender": email.from_email,
                        "subject": email.subject,
                        "body": str(email.body),
                        "html_body": html,
                    },
                )
                count += 1
        return count
