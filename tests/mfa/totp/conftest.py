"""Authenticator apps under a frozen clock, with codes computed from the stored secret."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
from django.utils import timezone

from verzuim.mfa.totp.actions import confirm_totp_device, start_totp_setup
from verzuim.mfa.totp.models import TotpDevice

# 10 seconds into a 30-second step, so shifts of whole steps stay well inside a step.
T0 = datetime(2025, 3, 3, 9, 0, 10, tzinfo=UTC)
STEP = 30


def code_for(device: TotpDevice, offset: int = 0) -> str:
    """What the app shows now (or ``offset`` steps from now), computed independently."""
    return pyotp.TOTP(device.secret).at(timezone.now(), counter_offset=offset)


@pytest.fixture
def clock(time_machine):
    """The clock stands still at T0; ``clock.shift(seconds)`` moves it on."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def add_app(clock):
    """Give a user a confirmed app through the actions, then move to the next time step."""

    def add(user, name: str = "Work phone") -> TotpDevice:
        device = start_totp_setup(user)
        confirm_totp_device(device, code_for(device), name=name)
        clock.shift(STEP)
        device.refresh_from_db()
        return device

    return add
