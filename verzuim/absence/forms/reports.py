"""Forms of ziek melden, herstel melden, corrections and withdrawal (employer side).

None of them has a field for diagnosis or complaints, and every free-text field warns not
to enter medical information (AVG). Forms validate only; the actions write.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from verzuim.absence.history import effective_mutations
from verzuim.absence.models import (
    Case,
    Classification,
    Employee,
    ExpectedDuration,
    MutationKind,
    SickReport,
)
from verzuim.absence.poortwachter import SAMENTELLEN_GAP_DAYS
from verzuim.core.forms import Form

#: Shown with every free-text field an employer-side user fills in.
NO_MEDICAL_INFORMATION = _(
    "Do not enter medical information (diagnosis, complaints): the employer can read this."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )


def free_text(label: Any, *, required: bool = False, max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=NO_MEDICAL_INFORMATION,
    )


def recent_closed_case(employee: Employee, today: date) -> Case | None:
    """The employee's latest case if it ended (first day fit) less than 28 days ago."""
    case = employee.cases.filter(recovery_date__isnull=False).order_by("-recovery_date").first()
    if case and case.recovery_date and (today - case.recovery_date).days < SAMENTELLEN_GAP_DAYS:
        return case
    return None


class SickReportForm(Form):
    first_sick_day = forms.DateField(label=_("First sick day"), widget=DateInput())
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.SICK
    )
    expected_duration = forms.ChoiceField(
        label=_("Expected duration"),
        choices=ExpectedDuration.choices,
        initial=ExpectedDuration.UNKNOWN,
    )
    incapacity = forms.IntegerField(
        label=_("Incapacity (%)"),
        min_value=1,
        max_value=100,
        initial=100,
        help_text=_("100 = fully unable to work. Partly working: the share not worked."),
    )
    nursing_address = free_text(_("Temporary (nursing) address, if not at home"))
    nursing_phone = free_text(_("Phone number at that address"), max_length=20)
    safety_net = yes_no(_("Does a safety-net (vangnet) rule apply?"))
    third_party_liable = yes_no(_("May a third party be liable?"))

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employee = employee
        self.today = timezone.localdate()
        self.fields["first_sick_day"].initial = self.today
        self.previous_case = recent_closed_case(employee, self.today)
        if self.previous_case is not None and self.previous_case.recovery_date:
            self.fields["new_work_override"] = forms.BooleanField(
                label=_(
                    "Start a new case: the employee now does other, newly agreed work "
                    "(nieuw bedongen arbeid)"
                ),
                required=False,
                help_text=_(
                    "The last case ended on %(day)s. A report less than four weeks (28 days) "
                    "after a recovery is normally added to that case, and its deadlines "
                    "continue. Only tick this when the employee recovered for their own work "
                    "and has since been given different work by agreement."
                )
                % {"day": formats.date_format(self.previous_case.recovery_date)},
            )

    def clean_first_sick_day(self) -> date:
        day: date = self.cleaned_data["first_sick_day"]
        if day > self.today:
            raise forms.ValidationError(_("The first sick day cannot be in the future."))
        return day

    def action_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["new_work_override"] = bool(data.get("new_work_override"))
        return data


class RecoveryForm(Form):
    FULL, PARTIAL = "full", "partial"

    kind = forms.ChoiceField(
        label=_("What do you report?"),
        choices=[
            (FULL, _("Full recovery: the employee is fully fit again")),
            (PARTIAL, _("Partial recovery or other change of the incapacity percentage")),
        ],
        initial=FULL,
        widget=forms.RadioSelect,
    )
    on = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        help_text=_(
            "Full recovery: the first day the employee is fit again. Partial: the "
            "first day at the new percentage."
        ),
    )
    incapacity = forms.IntegerField(
        label=_("New incapacity (%)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Only for a partial recovery, e.g. 50 when working half the hours."),
    )

    def __init__(self, *args: Any, report: SickReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == self.PARTIAL:
            pct = data.get("incapacity")
            if pct is None and "incapacity" not in self.errors:
                self.add_error("incapacity", _("Give the new incapacity percentage."))
            elif pct is not None and pct == self.report.incapacity:
                self.add_error(
                    "incapacity", _("The incapacity is %(pct)s%% already.") % {"pct": pct}
                )
        return data

    def new_incapacity(self) -> int:
        if self.cleaned_data["kind"] == self.FULL:
            return 0
        return int(self.cleaned_data["incapacity"])


def entry_label(mutation: Any) -> str:
    kind = MutationKind(mutation.root_kind).label
    day = formats.date_format(mutation.effective_date)
    if mutation.root_kind == MutationKind.FULL_RECOVERY:
        return f"{day} – {kind}"
    return f"{day} – {kind} ({mutation.incapacity}%)"


class CorrectionForm(Form):
    entry = forms.TypedChoiceField(label=_("Entry to correct"), coerce=int)
    effective_date = forms.DateField(label=_("Correct date"), widget=DateInput())
    incapacity = forms.IntegerField(
        label=_("Correct incapacity (%)"),
        min_value=0,
        max_value=100,
        help_text=_("0 for a full recovery."),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        help_text=NO_MEDICAL_INFORMATION,
    )

    def __init__(self, *args: Any, report: SickReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.entries = {
            m.pk: m
            for m in sorted(effective_mutations(report), key=lambda m: (m.effective_date, m.pk))
            if m.kind != MutationKind.WITHDRAWN
        }
        choice = self.fields["entry"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(pk, entry_label(m)) for pk, m in self.entries.items()]

    def mutation(self) -> Any:
        return self.entries[self.cleaned_data["entry"]]


class WithdrawForm(Form):
    reason = forms.CharField(
        label=_("Why is this report withdrawn?"),
        max_length=300,
        help_text=NO_MEDICAL_INFORMATION,
    )
