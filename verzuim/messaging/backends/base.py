from __future__ import annotations

from typing import Protocol

from verzuim.messaging.models import OutgoingMessage


class DeliveryError(Exception):
    """Delivery failed. ``permanent`` failures are not retried (e.g. an invalid number)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """Deliver one SMS; return the provider's id. Raise DeliveryError on failure."""
        ...
