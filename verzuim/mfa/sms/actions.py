"""Sending and checking SMS codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from verzuim.accounts.actions import register_second_step_failure
from verzuim.accounts.models import User
from verzuim.audit.actions import record
from verzuim.audit.models import Event, Outcome
from verzuim.core.request import Origin
from verzuim.messaging.actions import cancel_unsent, queue_sms
from verzuim.messaging.models import Status
from verzuim.mfa.exceptions import CodeExpired, CodeInvalid, ResendLimitReached, ResendTooSoon
from verzuim.mfa.sms import rules
from verzuim.mfa.sms.models import SmsChallenge


@dataclass(frozen=True)
class ResendState:
    sends: int
    next_allowed_at: datetime | None  # None: no more sends for this attempt

    def seconds_left(self, now: datetime) -> int:
        if self.next_allowed_at is None:
            return 0
        return max(int((self.next_allowed_at - now).total_seconds() + 0.999), 0)


def resend_state(
    user: User, attempt_id: str, purpose: str = SmsChallenge.Purpose.LOGIN
) -> ResendState:
    rows = list(
        SmsChallenge.objects.filter(user=user, attempt_id=attempt_id, purpose=purpose)
        .order_by("-created_at")
        .values_list("created_at", "message__status")[: rules.MAX_SENDS_PER_LOGIN]
    )
    sent = [created_at for created_at, _status in rows]
    if len(sent) >= rules.MAX_SENDS_PER_LOGIN:
        return ResendState(sends=len(sent), next_allowed_at=None)
    if not sent:
        return ResendState(sends=0, next_allowed_at=timezone.now())
    if rows[0][1] == Status.FAILED:
        # The last SMS never went out: no need to wait before trying again (the caps on
        # sends per login and per user still apply).
        return ResendState(sends=len(sent), next_allowed_at=timezone.now())
    return ResendState(
        sends=len(sent), next_allowed_at=sent[0] + timedelta(seconds=rules.resend_wait(len(sent)))
    )


def delivery_stalled(
    user: User, attempt_id: str, purpose: str = SmsChallenge.Purpose.LOGIN
) -> bool:
    """True when the latest SMS of this attempt has not reached the provider: delivery
    failed, a retry is waiting, or it is still queued after a short grace time."""
    challenge = (
        SmsChallenge.objects.filter(user=user, attempt_id=attempt_id, purpose=purpose)
        .select_related("message")
        .order_by("-created_at")
        .first()
    )
    if challenge is None or challenge.message is None:
        return False
    message = challenge.message
    return rules.not_sent_yet(
        message.status,
        message.attempts,
        message.created_at,
        timezone.now(),
        failed=message.status == Status.FAILED,
    )


def over_user_caps(user: User, phone: str, purpose: str, now: datetime) -> bool:
    """Caps per user over all attempts and purposes, so SMS cannot be pumped by starting
    new logins or entering new numbers again and again."""
    sent = SmsChallenge.objects.filter(user=user)
    if sent.filter(created_at__gt=now - timedelta(hours=1)).count() >= (
        settings.SMS_MAX_PER_USER_PER_HOUR
    ):
        return True
    day = sent.filter(created_at__gt=now - timedelta(days=1))
    if day.count() >= settings.SMS_MAX_PER_USER_PER_DAY:
        return True
    if purpose == SmsChallenge.Purpose.CONFIRM_PHONE and phone != user.phone:
        numbers = set(
            day.filter(purpose=SmsChallenge.Purpose.CONFIRM_PHONE)
            .exclude(phone=user.phone)
            .values_list("phone", flat=True)
        )
        if phone not in numbers and len(numbers) >= settings.SMS_MAX_NEW_NUMBERS_PER_DAY:
            return True
    return False


def send_code(
    user: User,
    attempt_id: str,
    origin: Origin,
    *,
    purpose: str = SmsChallenge.Purpose.LOGIN,
    phone: str | None = None,
    resend: bool = False,
) -> SmsChallenge:
    """Send a new code (earlier codes of this attempt stop working).

    Raises ResendTooSoon or ResendLimitReached (the refusal is audited all the same).
    """
    outcome = _send_code(user, attempt_id, origin, purpose=purpose, phone=phone, resend=resend)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@transaction.atomic
def _send_code(
    user: User,
    attempt_id: str,
    origin: Origin,
    *,
    purpose: str,
    phone: str | None,
    resend: bool,
) -> SmsChallenge | ResendTooSoon | ResendLimitReached:
    # Serialise sends for this user so two quick clicks cannot both pass the resend check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    state = resend_state(user, attempt_id, purpose)
    now = timezone.now()
    refusal: ResendTooSoon | ResendLimitReached | None = None
    if state.next_allowed_at is None or over_user_caps(user, phone or user.phone, purpose, now):
        refusal = ResendLimitReached()
    elif state.next_allowed_at > now:
        refusal = ResendTooSoon(state.seconds_left(now))
    if refusal is not None:
        record(
            Event.SMS_RESEND_REFUSED,
            origin=origin,
            subject=user,
            outcome=Outcome.FAILURE,
            data={"reason": "limit" if isinstance(refusal, ResendLimitReached) else "wait"},
        )
        return refusal
    earlier = SmsChallenge.objects.filter(
        user=user, attempt_id=attempt_id, purpose=purpose, used_at__isnull=True
    )
    # Their codes stop working, so their SMS need not go out any more (e.g. still retrying
    # against a failing provider).
    cancel_unsent(earlier.exclude(message=None).values("message"))
    earlier.update(used_at=now)
    code = rules.generate_code()
    challenge = SmsChallenge(
        user=user,
        purpose=purpose,
        attempt_id=attempt_id,
        phone=phone or user.phone,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_VALIDITY_SECONDS),
    )
    challenge.code_digest = rules.digest(code, str(challenge.id))
    minutes = settings.SMS_CODE_VALIDITY_SECONDS // 60
    body = ngettext(
        "%(code)s is your login code for %(portal)s. Valid for %(minutes)d minute. "
        "Never share this code.",
        "%(code)s is your login code for %(portal)s. Valid for %(minutes)d minutes. "
        "Never share this code.",
        minutes,
    ) % {"code": code, "portal": user.tenant.name, "minutes": minutes}
    # The web-OTP line lets phones offer the code for autofill on our own host only.
    if user.tenant.host:
        body += f"\n\n@{user.tenant.host} #{code}"
    challenge.message = queue_sms(tenant=user.tenant, to=challenge.phone, body=body, sensitive=True)
    challenge.save()
    record(
        Event.SMS_RESENT if resend else Event.SMS_SENT,
        origin=origin,
        subject=user,
        data={"purpose": purpose},
    )
    return challenge


def verify_code(
    user: User,
    attempt_id: str,
    code: str,
    origin: Origin,
    *,
    purpose: str = SmsChallenge.Purpose.LOGIN,
) -> None:
    """Accept the code once, or raise CodeInvalid / CodeExpired / AccountBlocked."""
    now = timezone.now()
    challenge = (
        SmsChallenge.objects.filter(
            user=user, attempt_id=attempt_id, purpose=purpose, used_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if challenge is None or challenge.expires_at <= now:
        raise CodeExpired()
    # Take one try before comparing; the conditional update keeps the limit under races.
    if not SmsChallenge.objects.filter(
        pk=challenge.pk, used_at__isnull=True, tries__lt=settings.SMS_CODE_MAX_ATTEMPTS
    ).update(tries=F("tries") + 1):
        raise CodeExpired()
    if not rules.matches(code, challenge.code_digest, str(challenge.id)):
        register_second_step_failure(user, origin, method="sms")  # may raise AccountBlocked
        remaining = settings.SMS_CODE_MAX_ATTEMPTS - challenge.tries - 1
        if remaining <= 0:
            raise CodeExpired()
        raise CodeInvalid(remaining)
    # Single use, also when two requests race: only one conditional update can win.
    if not SmsChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=now):
        raise CodeExpired()
    record(Event.SECOND_FACTOR_OK, origin=origin, subject=user, data={"method": "sms"})
    if (
        purpose == SmsChallenge.Purpose.LOGIN
        and user.phone_verified_at is None
        and challenge.phone == user.phone
    ):
        # A number set by support (or never confirmed) is confirmed by this login code.
        if User.objects.filter(pk=user.pk, phone_verified_at__isnull=True).update(
            phone_verified_at=now
        ):
            user.phone_verified_at = now
            record(
                Event.PHONE_CONFIRMED,
                origin=origin,
                actor=user,
                subject=user,
                data={"ending": user.phone[-2:], "at_login": True},
            )
