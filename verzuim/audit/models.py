from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    LOGIN_PASSWORD_OK = "login.password_ok", _("Password accepted, second factor asked")
    LOGIN_PASSWORD_FAILED = "login.password_failed", _("Login failed: wrong name or password")
    LOGIN_THROTTLED = "login.throttled", _("Login attempt refused: too many attempts")
    LOGIN_BLOCKED_ACCOUNT = "login.blocked_account", _("Login refused: account blocked")
    LOGIN_SUCCEEDED = "login.succeeded", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGOUT_EVERYWHERE = "logout.everywhere", _("Logged out on all devices")
    SESSION_EXPIRED = "session.expired", _("Session ended by timeout")
    SECOND_FACTOR_FAILED = "mfa.failed", _("Second factor: wrong code")
    SECOND_FACTOR_OK = "mfa.ok", _("Second factor accepted")
    SMS_SENT = "mfa.sms_sent", _("SMS code sent")
    SMS_RESENT = "mfa.sms_resent", _("SMS code sent again")
    SMS_RESEND_REFUSED = "mfa.sms_resend_refused", _("SMS resend refused: too soon")
    BACKUP_CODE_USED = "mfa.backup_code_used", _("Logged in with a backup code")
    BACKUP_CODES_GENERATED = "mfa.backup_codes_generated", _("New backup codes generated")
    ACCOUNT_BLOCKED = "account.blocked", _("Account blocked")
    ACCOUNT_UNBLOCKED = "account.unblocked", _("Account unblocked")
    USER_CREATED = "account.created", _("Account created")
    PASSWORD_CHANGED = "account.password_changed", _("Password changed")
    INVITATION_SENT = "account.invitation_sent", _("Activation e-mail sent")
    ACTIVATION_LINK_REFUSED = "account.activation_refused", _("Activation link refused")
    ACCOUNT_ACTIVATED = "account.activated", _("Account activated")
    PHONE_CONFIRMED = "account.phone_confirmed", _("Mobile number confirmed")
    PHONE_CHANGED = "account.phone_changed", _("Mobile number changed")
    REAUTHENTICATED = "mfa.reauthenticated", _("Second factor checked again")
    TOTP_ADDED = "mfa.totp_added", _("Authenticator app added")
    TOTP_REMOVED = "mfa.totp_removed", _("Authenticator app removed")
    WEBAUTHN_ADDED = "mfa.webauthn_added", _("Security key added")
    WEBAUTHN_REMOVED = "mfa.webauthn_removed", _("Security key removed")
    DEFAULT_METHOD_CHANGED = "mfa.default_changed", _("Default second factor changed")
    SESSION_ENDED = "session.ended", _("Session ended by the user")
    TRUSTED_DEVICE_ADDED = "mfa.trusted_device_added", _("Browser trusted")
    TRUSTED_DEVICE_USED = "mfa.trusted_device_used", _("Second step skipped on a trusted browser")
    TRUSTED_DEVICES_REVOKED = "mfa.trusted_devices_revoked", _("Trusted browsers revoked")
    LOGIN_NAME_REQUESTED = "recovery.login_name", _("Login name requested by e-mail")
    PASSWORD_RESET_REQUESTED = "recovery.reset_requested", _("Password reset link requested")
    PASSWORD_RESET_LINK_REFUSED = "recovery.reset_refused", _("Password reset link refused")
    PASSWORD_RESET_DONE = "recovery.reset_done", _("Password reset with an e-mail link")
    PHONE_RECOVERED = "recovery.phone", _("Mobile number replaced with a backup code and e-mail")
    SUPPORT_PHONE_RESET = "support.phone_reset", _("Mobile number reset by support")
    SUPPORT_FACTORS_RESET = "support.factors_reset", _("Second factors reset by support")
    SUPPORT_SESSIONS_ENDED = "support.sessions_ended", _("Sessions ended by support")
    ACCOUNT_DEACTIVATED = "support.deactivated", _("Account deactivated")
    SUPPORT_ERROR_LOOKUP = "support.error_lookup", _("Error reference looked up")
    SUPPORT_AUDIT_EXPORT = "support.audit_export", _("Audit log exported")
    HELP_CONTENT_CHANGED = "help.changed", _("Help text changed")
    SUPPORT_REQUEST_CREATED = "help.request_created", _("Support request sent")
    SUPPORT_REQUEST_UPDATED = "help.request_updated", _("Support request status changed")
    EMPLOYEES_IMPORTED = "absence.import", _("Employees imported")
    EMPLOYER_CHANGED = "absence.employer_changed", _("Employer data changed")
    SCOPE_CHANGED = "absence.scope_changed", _("Access to employers changed")
    EMPLOYEE_VIEWED = "absence.employee_viewed", _("Employee page opened")
    SICK_REPORTED = "absence.sick_reported", _("Employee reported sick")
    SICK_REPORT_CHANGED = "absence.report_changed", _("Recovery or incapacity reported")
    SICK_REPORT_CORRECTED = "absence.report_corrected", _("Sick report corrected")
    SICK_REPORT_WITHDRAWN = "absence.report_withdrawn", _("Sick report withdrawn")
    CASE_VIEWED = "absence.case_viewed", _("Case file opened")
    CASE_TASK_DONE = "absence.task_done", _("Case task marked done")
    CASE_DOCUMENT_ADDED = "absence.document_added", _("Document added to a case")
    CASE_DOCUMENT_READ = "absence.document_read", _("Case document opened")
    APPOINTMENT_ADDED = "absence.appointment_added", _("Appointment planned")
    CASE_NOTE_ADDED = "absence.note_added", _("Case note added")
    ADVICE_ADDED = "absence.advice_added", _("Work ability advice added")
    MEDICAL_NOTE_ADDED = "absence.medical_added", _("Medical note added")
    MEDICAL_NOTES_READ = "absence.medical_read", _("Medical notes opened")
    PROTOCOL_CHANGED = "absence.protocol_changed", _("Poortwachter protocol changed")
    ABSENCE_EXPORTED = "absence.exported", _("Sick-leave data exported")
    TASK_REMINDERS_SENT = "absence.reminders_sent", _("Task reminders sent")
    DOSSIER_PURGED = "absence.purged", _("Data removed after its retention term")
    ACCESS_EXPORT = "absence.access_export", _("Personal data export (right of access)")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_tenant(self, tenant: Any) -> AuditEventQuerySet:
        return self.filter(tenant=tenant)

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One security-relevant event. Rows are only ever added (enforced by the database too)."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, null=True, related_name="+"
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("concerning"),
    )
    # The name as typed, for failed logins of unknown names (never the password).
    login_name = models.CharField(_("login name entered"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    reference = models.CharField(_("request reference"), max_length=9, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["tenant", "-at"]), models.Index(fields=["subject", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")
