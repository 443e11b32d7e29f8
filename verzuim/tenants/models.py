from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SECOND_FACTOR_METHODS = [
    ("sms", _("SMS code")),
    ("totp", _("Authenticator app")),
    ("webauthn", _("Security key")),
]


def default_methods() -> list[str]:
    return ["sms", "totp", "webauthn"]


#: SMS is a restricted authenticator (ASVS V6.6.1): a stronger one is always on offer.
STRONG_METHODS = ("totp", "webauthn")


class TenantQuerySet(models.QuerySet["Tenant"]):
    def active(self) -> TenantQuerySet:
        return self.filter(is_active=True)


class Tenant(models.Model):
    """An organisation that runs a portal (a broker or occupational-health service)."""

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("display name"), max_length=120)
    host = models.CharField(
        _("host name"), max_length=253, unique=True,
        help_text=_("For example: demo.verzuimportaal.nl"),
    )
    logo = models.FileField(
        _("logo"), upload_to="tenants/logos/", blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
    )
    address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("support phone number"), max_length=40, blank=True)
    phone_hours = models.CharField(_("phone hours"), max_length=120, blank=True)
    support_email = models.EmailField(_("support e-mail address"))
    sms_sender = models.CharField(
        _("SMS sender name"), max_length=11,
        help_text=_("At most 11 letters or digits, shown as the sender of SMS messages."),
    )
    # Security policy
    allowed_methods = models.JSONField(_("allowed second factors"), default=default_methods)
    second_step_block_threshold = models.PositiveSmallIntegerField(
        _("failed second-step attempts before blocking"), default=10,
        validators=[MinValueValidator(3), MaxValueValidator(20)],
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("idle session timeout (minutes)"), default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    session_absolute_hours = models.PositiveSmallIntegerField(
        _("maximum session length (hours)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    trusted_device_days = models.PositiveSmallIntegerField(
        _("days a browser may be trusted (0 = never)"), default=0,
        validators=[MaxValueValidator(90)],
        help_text=_("When above 0, users may skip the second step on a browser they trust."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        methods = self.allowed_methods if isinstance(self.allowed_methods, list) else None
        known = {value for value, _label in SECOND_FACTOR_METHODS}
        if methods is None or not set(methods) <= known:
            raise ValidationError({"allowed_methods": _(
                "Choose from: %(methods)s."
            ) % {"methods": ", ".join(sorted(known))}})
        if not set(methods) & set(STRONG_METHODS):
            raise ValidationError({"allowed_methods": _(
                "Allow the authenticator app or the security key too: SMS alone is not safe "
                "enough for health data."
            )})

    def allows(self, method: str) -> bool:
        return method in (self.allowed_methods or [])
