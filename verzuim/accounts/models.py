from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYER_HR = "employer_hr", _("Employer / HR")
    MANAGER = "manager", _("Manager")
    CASE_MANAGER = "case_manager", _("Case manager")
    BROKER = "broker", _("Broker / adviser")
    PHYSICIAN = "physician", _("Occupational physician")
    SUPPORT = "support", _("Support desk")
    TENANT_ADMIN = "tenant_admin", _("Tenant administrator")


class SecondFactor(models.TextChoices):
    SMS = "sms", _("SMS code")
    TOTP = "totp", _("Authenticator app")
    WEBAUTHN = "webauthn", _("Security key")


class UserManager(BaseUserManager["User"]):
    def for_tenant(self, tenant: Any) -> models.QuerySet[User]:
        return self.filter(tenant=tenant)

    def get_by_natural_key(self, username: str | None) -> User:  # pragma: no cover - admin only
        raise NotImplementedError("Login names are unique per tenant; use the tenant backend.")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in to one tenant's portal."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="users")
    username = models.CharField(_("login name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(
        _("mobile number"), max_length=20, help_text=_("E.164, e.g. +31612345678")
    )
    phone_verified_at = models.DateTimeField(_("mobile number confirmed"), null=True, blank=True)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    preferred_method = models.CharField(
        _("default second factor"),
        max_length=10,
        choices=SecondFactor.choices,
        default=SecondFactor.SMS,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the technical admin"), default=False)
    blocked_at = models.DateTimeField(_("blocked since"), null=True, blank=True)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)
    second_step_failures = models.PositiveIntegerField(
        _("failed second-step attempts since the last login"), default=0
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # Part of the activation token: sending a new invitation makes older links invalid.
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "phone"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("username"),
                name="unique_login_name_per_tenant",
                violation_error_message=_("This login name is already in use."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "email"])]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    def get_short_name(self) -> str:
        return self.first_name or self.username

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles or []]


class UserSession(AbstractBaseSession):
    """A server-side session that knows its user, so sessions can be listed and ended."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    last_activity = models.DateTimeField(null=True, blank=True)

    @classmethod
    def get_session_store_class(cls) -> Any:
        from verzuim.accounts.sessions import SessionStore

        return SessionStore

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")


class Throttle(models.Model):
    """Failed-login counter for one key (an account or a network address)."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("network address")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=100)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField()
    # Whether the refusal during the current wait was audited (once per wait, not per request).
    refusal_audited = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="unique_throttle_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"


class TrustedDevice(models.Model):
    """A browser on which the user chose to skip the second step for a while.

    The browser holds a signed, HttpOnly cookie naming this row; deleting the row (any change
    of password or factors does) makes the cookie worthless at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="trusted_devices")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"trusted browser {self.pk} of user {self.user_id}"
