"""The action list (Actiemonitor): open Poortwachter tasks in the user's scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verzuim.absence.models import CaseTask, Employer, TaskState
from verzuim.absence.scope import uses_absence
from verzuim.core.forms import Form

PAGE_SIZE = 50
#: "Due soon" horizon of the action list.
SOON_DAYS = 14

ROLE_CHOICES = [
    ("", _("All")),
    ("employer", _("Employer")),
    ("case_manager", _("Case manager")),
    ("company_doctor", _("Occupational physician")),
    ("employee", _("Employee (WIA application)")),
]
ROLE_LABELS = dict(ROLE_CHOICES[1:])

GROUP_CHOICES = [
    ("", _("All open tasks")),
    ("overdue", _("Overdue")),
    ("soon", _("Due within 14 days")),
    ("later", _("Later")),
]


class WorklistFilterForm(Form):
    group = forms.ChoiceField(label=_("Show"), choices=GROUP_CHOICES, required=False)
    role = forms.ChoiceField(label=_("Responsible"), choices=ROLE_CHOICES, required=False)
    employer = forms.ModelChoiceField(
        label=_("Employer"),
        queryset=Employer.objects.none(),
        required=False,
        empty_label=_("All employers"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.visible_to(user)  # type: ignore[attr-defined]


def group_of(deadline: date | None, today: date) -> str:
    if deadline is not None and deadline < today:
        return "overdue"
    if deadline is not None and deadline <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return "later"


def _group_filter(group: str, today: date) -> Q:
    soon_end = today + timedelta(days=SOON_DAYS)
    if group == "overdue":
        return Q(deadline__lt=today)
    if group == "soon":
        return Q(deadline__gte=today, deadline__lte=soon_end)
    if group == "later":
        return Q(deadline__gt=soon_end) | Q(deadline__isnull=True)
    return Q()


def _counts(tasks: QuerySet[CaseTask], today: date) -> dict[str, int]:
    soon_end = today + timedelta(days=SOON_DAYS)
    counts = tasks.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=soon_end)),
    )
    counts["later"] = counts["total"] - counts["overdue"] - counts["soon"]
    return counts


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    if not uses_absence(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = WorklistFilterForm(request.GET or None, user=request.user)
    tasks = CaseTask.objects.visible_to(request.user).filter(state=TaskState.OPEN)
    group = ""
    if form.is_valid():
        if form.cleaned_data["role"]:
            tasks = tasks.filter(role=form.cleaned_data["role"])
        if form.cleaned_data["employer"]:
            tasks = tasks.filter(case__employee__employer=form.cleaned_data["employer"])
        group = form.cleaned_data["group"]
    counts = _counts(tasks, today)
    listed = (
        tasks.filter(_group_filter(group, today))
        .select_related("case__employee__employer")
        .order_by(F("deadline").asc(nulls_last=True), "case__employee__last_name", "pk")
    )
    paginator = Paginator(listed, PAGE_SIZE)
    # The counts above already know the size of the list: no second COUNT over all tasks.
    paginator.count = counts[group] if group else counts["total"]  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "task": task,
            "employee": task.case.employee,
            "group": group_of(task.deadline, today),
            "days_overdue": (today - task.deadline).days
            if task.deadline and task.deadline < today
            else 0,
            "role_label": ROLE_LABELS.get(task.role, task.role),
        }
        for task in page
    ]
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "absence/worklist/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": counts,
            "query": query,
            "today": today,
            "soon_days": SOON_DAYS,
        },
    )
