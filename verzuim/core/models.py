"""Error reports: one row per error page shown, so support can look a reference code up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATH_MAX_LENGTH = 500


class ErrorReport(models.Model):
    """What support may know about an error page a user saw.

    Deliberately minimal: never the query string, form data or exception message, which
    may hold personal (health) data or secrets.
    """

    reference = models.CharField(_("reference code"), max_length=9, db_index=True)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    path = models.CharField(_("path"), max_length=PATH_MAX_LENGTH)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    tenant = models.ForeignKey(
        "tenants.Tenant", verbose_name=_("tenant"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    error_type = models.CharField(_("error type"), max_length=100, blank=True)
    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"
