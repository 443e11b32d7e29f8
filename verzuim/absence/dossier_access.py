"""Who may read and write which parts of a case dossier (on top of the scoped query layer).

The case itself is fetched through ``Case.objects.visible_to(user)`` first; these rules
then decide, per role, which documents and notes of a visible case a user sees and which
dossier changes they may make. Medical notes are not here: only
``MedicalNote.objects.for_physician`` reads them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from verzuim.absence.models import (
    Case,
    CaseDocument,
    CaseNote,
    Confidentiality,
    NoteVisibility,
)
from verzuim.absence.scope import has_any_role, is_case_team, is_physician
from verzuim.accounts.models import Role

#: May add documents and notes and mark tasks done.
DOSSIER_WRITERS = (Role.EMPLOYER_HR, Role.MANAGER, Role.CASE_MANAGER, Role.PHYSICIAN)
#: May plan appointments (spreekuur).
APPOINTMENT_PLANNERS = (Role.EMPLOYER_HR, Role.CASE_MANAGER, Role.PHYSICIAN)


def readable_confidentiality(user: Any) -> list[str]:
    """Confidentiality classes of documents ``user`` may see (and so may assign)."""
    classes = [Confidentiality.EMPLOYER.value]
    if is_case_team(user):
        classes.append(Confidentiality.CASE_TEAM.value)
    if is_physician(user):
        classes.append(Confidentiality.MEDICAL.value)
    return classes


def readable_note_visibility(user: Any) -> list[str]:
    classes = [NoteVisibility.EMPLOYER.value]
    if is_case_team(user):
        classes.append(NoteVisibility.CASE_TEAM.value)
    return classes


def documents_for(case: Case, user: Any) -> QuerySet[CaseDocument]:
    return case.documents.filter(confidentiality__in=readable_confidentiality(user))


def notes_for(case: Case, user: Any) -> QuerySet[CaseNote]:
    return case.notes.filter(visibility__in=readable_note_visibility(user))


def may_write_dossier(user: Any) -> bool:
    return has_any_role(user, DOSSIER_WRITERS)


def may_plan_appointments(user: Any) -> bool:
    return has_any_role(user, APPOINTMENT_PLANNERS)


def may_advise(user: Any) -> bool:
    return is_physician(user)
