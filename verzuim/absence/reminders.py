"""Daily e-mail digest of Poortwachter tasks coming due.

Each user gets at most one e-mail a day with counts and a link to the Actiemonitor: never
employee names or health data. A task is reminded once per deadline
(``CaseTask.reminded_for``), so the daily run does not repeat itself; when a recovery or
relapse moves the deadline, the task is reminded again for the new date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from verzuim.absence.models import CaseTask, TaskState
from verzuim.accounts.models import Role, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.messaging.actions import queue_email
from verzuim.tenants.links import tenant_url
from verzuim.tenants.models import Tenant

#: Remind this many days before the deadline (and for every overdue task).
REMIND_DAYS_AHEAD = 7

#: Task role (protocol data) → the user role responsible for it.
RESPONSIBLE_ROLE: dict[str, str] = {
    "employer": Role.EMPLOYER_HR,
    "case_manager": Role.CASE_MANAGER,
    "company_doctor": Role.PHYSICIAN,
    # The case manager guides the employee's WIA application.
    "employee": Role.CASE_MANAGER,
}


def task_roles_for(user: User) -> set[str]:
    """The protocol task roles ``user`` answers for."""
    return {task_role for task_role, role in RESPONSIBLE_ROLE.items() if user.has_role(role)}


@dataclass
class Digest:
    user_id: int
    overdue: int
    due_soon: int


@dataclass
class ReminderResult:
    day: date
    emails: int = 0
    tasks: int = 0
    digests: list[Digest] = field(default_factory=list)


def _recipients(tenant: Tenant) -> list[User]:
    users = User.objects.filter(
        tenant=tenant, is_active=True, blocked_at__isnull=True, activated_at__isnull=False
    ).exclude(email="")
    return [u for u in users.order_by("pk") if task_roles_for(u)]


def send_task_reminders(*, today: date | None = None, dry_run: bool = False) -> ReminderResult:
    """E-mail every responsible user the tasks in their scope that are overdue or due
    within a week and not yet reminded for their current deadline."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMIND_DAYS_AHEAD)
    result = ReminderResult(day=today)
    for tenant in Tenant.objects.active().order_by("pk"):
        with transaction.atomic():
            reminded: set[int] = set()
            emails = 0
            for user in _recipients(tenant):
                tasks = (
                    CaseTask.objects.visible_to(user)
                    .filter(
                        state=TaskState.OPEN, deadline__lte=horizon, role__in=task_roles_for(user)
                    )
                    .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("deadline")))
                )
                rows = [(pk, d) for pk, d in tasks.values_list("pk", "deadline") if d is not None]
                if not rows:
                    continue
                overdue = len([pk for pk, deadline in rows if deadline < today])
                digest = Digest(user.pk, overdue=overdue, due_soon=len(rows) - overdue)
                result.digests.append(digest)
                reminded |= {pk for pk, _ in rows}
                if dry_run:
                    continue
                queue_email(
                    tenant=tenant,
                    to=user.email,
                    template="task_reminders",
                    context={
                        "user": user,
                        "overdue": digest.overdue,
                        "due_soon": digest.due_soon,
                        "days_ahead": REMIND_DAYS_AHEAD,
                        "link": tenant_url(tenant, reverse("absence:worklist")),
                    },
                )
                emails += 1
            result.tasks += len(reminded)
            result.emails += emails
            if dry_run or not reminded:
                continue
            CaseTask.objects.filter(pk__in=reminded).update(reminded_for=F("deadline"))
            record(
                Event.TASK_REMINDERS_SENT,
                tenant=tenant,
                data={"day": today.isoformat(), "emails": emails, "tasks": len(reminded)},
            )
    return result
