from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SmsChallenge(models.Model):
    """One SMS code, bound to one login attempt (or other purpose). Stored only as a digest."""

    class Purpose(models.TextChoices):
        LOGIN = "login"
        CONFIRM_PHONE = "confirm_phone"
        REAUTH = "reauth"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_challenges"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.LOGIN)
    attempt_id = models.CharField(max_length=32, db_index=True)
    phone = models.CharField(max_length=20)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "messaging.OutgoingMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SMS challenge for {self.user_id} ({self.purpose})"
