"""Authenticator-app secrets are sealed at rest (docs/security/data-classification.md, L4)."""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.mfa.totp.conftest import code_for
from verzuim.core.request import Origin
from verzuim.mfa.totp import sealing
from verzuim.mfa.totp.actions import verify_totp_code
from verzuim.mfa.totp.models import TotpDevice

ORIGIN = Origin(ip="192.0.2.20", user_agent="pytest")


def _stored(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM mfa_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_no_usable_secret(hr_user, add_app):
    device = add_app(hr_user)
    stored = _stored(device)
    assert stored.startswith("f1:") and device.secret not in stored
    assert len(device.secret) == 32 and TotpDevice.objects.get(pk=device.pk).secret == device.secret


def test_a_database_copy_without_the_key_opens_nothing(settings, hr_user, add_app):
    device = add_app(hr_user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "x" * 60, []
    with pytest.raises(sealing.SecretUnavailable):
        TotpDevice.objects.get(pk=device.pk).secret  # noqa: B018


def test_a_device_no_key_opens_matches_no_code_and_is_reported(
    settings, hr_user, add_app, caplog
):
    from verzuim.mfa.exceptions import CodeInvalid

    device = add_app(hr_user)
    plain = device.secret
    code = pyotp.TOTP(plain).now()
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "x" * 60, []
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, code, ORIGIN)
    assert "cannot be opened" in caplog.text and plain not in caplog.text


def test_after_a_key_rotation_a_use_reseals_and_the_command_does_the_rest(
    settings, hr_user, add_app, clock
):
    used, idle = add_app(hr_user), add_app(hr_user)
    idle_plain = idle.secret
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "n" * 60, [old]
    clock.shift(30)
    verify_totp_code(hr_user, code_for(used), ORIGIN)
    assert sealing.is_current(_stored(used)) and not sealing.is_current(_stored(idle))
    out = io.StringIO()
    call_command("reseal_totp_secrets", stdout=out)
    assert "Re-sealed 1" in out.getvalue() and sealing.is_current(_stored(idle))
    settings.SECRET_KEY_FALLBACKS = []  # the old key can go now
    assert TotpDevice.objects.get(pk=idle.pk).secret == idle_plain


def test_the_command_fails_loudly_on_a_secret_no_key_opens(settings, hr_user, add_app):
    add_app(hr_user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "x" * 60, []
    with pytest.raises(CommandError, match="could not be opened"):
        call_command("reseal_totp_secrets", stdout=io.StringIO())
