from __future__ import annotations

from typing import Protocol

from verzuim.messaging.models import OutgoingMessage


class DeliveryError(Exception):
    """Delivery failed. ``permanent`` failures are not retried (e.g. an invalid number).

    The text is stored in ``OutgoingMessage.last_error`` and logged: it must never contain
    the message body or a credential.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """Deliver one SMS; return the provider's id. Raise DeliveryError on failure."""
        ...


def is_local_outbox(backend: object) -> bool:
    """True for the development backends, which keep messages in our own outbox table.

    Every other backend (SMTP, an SMS provider, Django's test backends) counts as a real
    provider: after delivery the queued copy of a sensitive message is scrubbed.
    """
    return getattr(backend, "local_outbox", False) is True
