from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from verzuim.mfa.totp import sealing


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238). Counts only once confirmed by a first code."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="totp_devices")
    name = models.CharField(_("name"), max_length=60)
    # The base32 shared secret, sealed (verzuim/mfa/totp/sealing.py); use ``secret``.
    sealed_secret = models.CharField(max_length=255, db_column="secret")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted 30-second time step: a code is accepted once only.
    last_used_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        """The plain base32 secret; raises SecretUnavailable when no key opens it."""
        return sealing.unseal(self.sealed_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = sealing.seal(value)
