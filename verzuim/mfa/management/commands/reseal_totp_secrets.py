"""``manage.py reseal_totp_secrets``: seal every authenticator-app secret under the current
SECRET_KEY, so a previous key can be dropped from DJANGO_SECRET_KEY_FALLBACKS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from verzuim.mfa.totp import sealing
from verzuim.mfa.totp.models import TotpDevice


class Command(BaseCommand):
    help = "Re-seal authenticator-app secrets under the current secret key (key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        resealed = unreadable = 0
        with transaction.atomic():
            for device in TotpDevice.objects.select_for_update().only("pk", "sealed_secret"):
                if sealing.is_current(device.sealed_secret):
                    continue
                try:
                    device.secret = device.secret
                except sealing.SecretUnavailable:
                    unreadable += 1
                    continue
                device.save(update_fields=["sealed_secret"])
                resealed += 1
        self.stdout.write(f"Re-sealed {resealed} authenticator app secret(s).")
        if unreadable:
            raise CommandError(
                f"{unreadable} secret(s) could not be opened with the current or previous keys."
            )
