from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238). Counts only once confirmed by a first code."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="totp_devices")
    name = models.CharField(_("name"), max_length=60)
    secret = models.CharField(max_length=64)  # base32
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted 30-second time step: a code is accepted once only.
    last_used_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
