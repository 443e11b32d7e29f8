"""Sick-leave data (see docs/adr/0007-absence-data-model.md).

Every query for these models from a view goes through ``visible_to(user)`` (see
``verzuim/absence/scope.py``); nothing is fetched by bare primary key.
"""

from verzuim.absence.models.cases import Case, CaseTask, Protocol, TaskState
from verzuim.absence.models.dossier import (
    Appointment,
    CaseDocument,
    CaseNote,
    Confidentiality,
    DocumentKind,
    MedicalNote,
    NoteVisibility,
    WorkAbilityAdvice,
)
from verzuim.absence.models.jobs import ScheduledRun
from verzuim.absence.models.organisation import (
    Department,
    Employee,
    Employer,
    Employment,
    UserScope,
)
from verzuim.absence.models.reports import (
    AbsenceSegment,
    Classification,
    ExpectedDuration,
    MutationKind,
    SickReport,
    SickReportMutation,
)

__all__ = [
    "AbsenceSegment",
    "Appointment",
    "Case",
    "CaseDocument",
    "CaseNote",
    "CaseTask",
    "Classification",
    "Confidentiality",
    "Department",
    "DocumentKind",
    "Employee",
    "Employer",
    "Employment",
    "ExpectedDuration",
    "MedicalNote",
    "MutationKind",
    "NoteVisibility",
    "Protocol",
    "ScheduledRun",
    "SickReport",
    "SickReportMutation",
    "TaskState",
    "UserScope",
    "WorkAbilityAdvice",
]
