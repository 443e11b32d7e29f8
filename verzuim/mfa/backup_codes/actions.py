from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from verzuim.accounts.actions import register_second_step_failure
from verzuim.accounts.models import User
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin
from verzuim.mfa.backup_codes import rules
from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.changes import record_security_change
from verzuim.mfa.exceptions import CodeInvalid


@transaction.atomic
def generate_backup_codes(
    user: User,
    *,
    actor: User | None = None,
    origin: Origin = SYSTEM,
    codes: list[str] | None = None,
    notify: bool = False,
) -> list[str]:
    """Replace the user's codes with a new set; returns the plain codes to show once.

    ``notify``: the user made the change in the portal, so it is treated like any other
    change of factors (trusted browsers revoked, e-mail notification).
    """
    plain = codes if codes is not None else rules.generate_set()
    BackupCode.objects.filter(user=user).delete()
    BackupCode.objects.bulk_create(
        [BackupCode(user=user, code_hash=make_password(code)) for code in plain]
    )
    data = {"count": len(plain)}
    if notify:
        record_security_change(user, Event.BACKUP_CODES_GENERATED, origin=origin, actor=actor,
                               data=data)
    else:
        record(Event.BACKUP_CODES_GENERATED, origin=origin, actor=actor or user, subject=user,
               data=data)
    return plain


def remaining_count(user: User) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


def use_backup_code(user: User, raw_code: str, origin: Origin) -> int:
    """Burn a matching unused code; returns how many are left.

    Raises CodeInvalid (or AccountBlocked after too many failures). Two requests with the same
    code: both may match the hash, but only one conditional update can mark it used.
    """
    code = rules.normalise(raw_code)
    if rules.looks_valid(code):
        for candidate in BackupCode.objects.filter(user=user, used_at__isnull=True):
            if check_password(code, candidate.code_hash):
                burned = BackupCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
                if burned:
                    left = remaining_count(user)
                    record(
                        Event.BACKUP_CODE_USED,
                        origin=origin,
                        subject=user,
                        data={"remaining": left},
                    )
                    return left
                break  # a concurrent request won this code
    register_second_step_failure(user, origin, method="backup_code")
    raise CodeInvalid()
