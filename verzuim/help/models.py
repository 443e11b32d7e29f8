"""Help content per tenant (manuals and FAQ items) and support requests."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]


class Status(models.TextChoices):
    PUBLISHED = "published", _("Published")
    DRAFT = "draft", _("Draft")


class HelpQuerySet(models.QuerySet[Any]):
    def for_tenant(self, tenant: Any) -> HelpQuerySet:
        return self.filter(tenant=tenant)

    def published(self) -> HelpQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def in_language(self, language: str) -> HelpQuerySet:
        return self.filter(language=language)


class HelpContent(models.Model):
    """What manuals and FAQ items share: Markdown text for some roles in one language."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("anchor"), max_length=80, help_text=_("Part of the link, e.g. geen-sms.")
    )
    body = models.TextField(_("text (Markdown)"))
    # Role values (verzuim.accounts.models.Role); empty means everyone.
    audience = models.JSONField(_("for roles"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="nl")
    order = models.PositiveIntegerField(_("order"), default=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    objects = HelpQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def is_for(self, roles: list[str] | None) -> bool:
        """Whether someone with ``roles`` may see this (None: not logged in)."""
        if not self.audience:
            return True
        return bool(roles) and bool(set(self.audience) & set(roles or []))

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Manual(HelpContent):
    class Meta(HelpContent.Meta):
        verbose_name = _("manual")
        verbose_name_plural = _("manuals")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "language", "slug"], name="unique_manual_slug"
            )
        ]


class FaqItem(HelpContent):
    before_login = models.BooleanField(
        _("show before login"),
        default=False,
        help_text=_("Also shown on the pages before login (login questions)."),
    )

    class Meta(HelpContent.Meta):
        verbose_name = _("FAQ item")
        verbose_name_plural = _("FAQ items")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "language", "slug"], name="unique_faq_slug")
        ]


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT that have no public URL: only a view may stream them."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


private_storage = PrivateStorage()


def screenshot_path(instance: Any, filename: str) -> str:
    # Never the uploaded name: a random one, with the extension of the verified image type.
    extension = "png" if instance.screenshot_type == "image/png" else "jpg"
    return f"support/{uuid.uuid4().hex}.{extension}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")


class SupportRequestQuerySet(models.QuerySet["SupportRequest"]):
    def for_tenant(self, tenant: Any) -> SupportRequestQuerySet:
        return self.filter(tenant=tenant)


class SupportRequest(models.Model):
    """A question or problem sent with the in-product form."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests",
        verbose_name=_("user"),
    )
    login_name = models.CharField(_("login name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"))
    page = models.CharField(_("page"), max_length=500, blank=True)
    error_reference = models.CharField(_("reference code"), max_length=9, blank=True)
    screenshot = models.FileField(
        _("screenshot"), upload_to=screenshot_path, storage=private_storage, blank=True
    )
    screenshot_type = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["tenant", "status", "-created"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"
