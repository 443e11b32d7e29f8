"""A lease shorter than a provider timeout lets a second worker send the same message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def lease_outlasts_provider_timeouts(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    slowest = max(settings.TWILIO_TIMEOUT_SECONDS, settings.EMAIL_TIMEOUT or 0)
    if settings.MESSAGE_LEASE_SECONDS > slowest:
        return []
    return [
        Warning(
            f"VERZUIM_MESSAGE_LEASE_SECONDS ({settings.MESSAGE_LEASE_SECONDS}) is not longer "
            f"than the slowest provider timeout ({slowest} s).",
            hint="A worker still waiting for the provider can lose its lease, and another "
            "worker then sends the message again. Make the lease longer than "
            "TWILIO_TIMEOUT_SECONDS and EMAIL_TIMEOUT.",
            id="messaging.W001",
        )
    ]
