from __future__ import annotations

from django.conf import settings
from django.db import models


class BackupCode(models.Model):
    """One single-use backup code, stored only as a password hash (one row per code)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backup_codes"
    )
    code_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"backup code {self.pk} of user {self.user_id}"
