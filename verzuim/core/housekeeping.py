"""Daily removal of operational rows past their term (docs/security/data-classification.md,
"Retention schedule"). Sick-leave data has its own legal terms in
``verzuim/absence/retention.py``; the audit log (5 years, append-only in the database) is
cleaned by the yearly operator procedure in docs/security/logging.md.

Runs daily from the message worker (``verzuim.absence.tasks``) and as
``manage.py clean_up [--dry-run]``. Each run is logged with counts only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

ERROR_REPORT_DAYS = 365
SUPPORT_REQUEST_DAYS = 365  # after the last change
MESSAGE_DAYS = 90  # sent or given-up messages
SHORT_LIVED_DAYS = 30  # SMS challenges, throttle counters, expired trusted browsers


def _expired(now: datetime) -> dict[str, QuerySet]:
    from verzuim.accounts.models import Throttle, TrustedDevice, UserSession
    from verzuim.core.models import ErrorReport
    from verzuim.help.models import SupportRequest
    from verzuim.messaging.models import OutboxMessage, OutgoingMessage, Status
    from verzuim.mfa.sms.models import SmsChallenge

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    return {
        "error_reports": ErrorReport.objects.filter(created__lt=ago(ERROR_REPORT_DAYS)),
        "support_requests": SupportRequest.objects.filter(updated__lt=ago(SUPPORT_REQUEST_DAYS)),
        "messages": OutgoingMessage.objects.filter(
            created_at__lt=ago(MESSAGE_DAYS), status__in=[Status.SENT, Status.FAILED]
        ),
        "outbox_messages": OutboxMessage.objects.filter(created__lt=ago(MESSAGE_DAYS)),
        "sessions": UserSession.objects.filter(expire_date__lt=now),
        "sms_challenges": SmsChallenge.objects.filter(created_at__lt=ago(SHORT_LIVED_DAYS)),
        "throttles": Throttle.objects.filter(
            Q(last_failure_at__lt=ago(SHORT_LIVED_DAYS)) & Q(blocked_until__lt=now)
        ),
        "trusted_browsers": TrustedDevice.objects.filter(
            expires_at__lt=ago(SHORT_LIVED_DAYS)
        ),
    }


def clean_up(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove (or with ``dry_run`` only count) the expired rows; returns counts per kind."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for kind, rows in _expired(now).items():
        if dry_run:
            counts[kind] = rows.count()
            continue
        if kind == "support_requests":
            counts[kind] = _delete_support_requests(rows)
        else:
            counts[kind] = rows.delete()[0]
    logger.info("clean-up %s: %s", "dry run" if dry_run else "done",
                ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return counts


def _delete_support_requests(rows: QuerySet) -> int:
    """Rows and their screenshot files (the files after the rows are gone)."""
    count = 0
    for request in rows.iterator():
        name, storage = request.screenshot.name, request.screenshot.storage
        with transaction.atomic():
            request.delete()
        if name:
            storage.delete(name)
        count += 1
    return count
