"""Changes to (and audited reads of) a case dossier: documents, appointments, notes,
advice, medical notes and tasks. Each function checks the actor's role itself, so a view
that forgot a check still cannot write what the role may not."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verzuim.absence import figure_cache, filetypes
from verzuim.absence.dossier_access import (
    may_advise,
    may_plan_appointments,
    may_write_dossier,
    readable_confidentiality,
    readable_note_visibility,
)
from verzuim.absence.errors import AbsenceError
from verzuim.absence.models import (
    Appointment,
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    DocumentKind,
    MedicalNote,
    TaskState,
    WorkAbilityAdvice,
)
from verzuim.absence.scope import is_physician
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin


class DocumentRejected(AbsenceError):
    pass


class TaskNotOpen(AbsenceError):
    pass


def _lock_case(case: Case) -> None:
    """Hold the case while something is added to it: a case that is being retired at this
    moment (``cases._retire``, after its last report was withdrawn) either sees the new item
    and stays, or is gone, and then the user is told the case no longer exists."""
    if not list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk")):
        raise Http404(_("This case no longer exists."))


def _tenant(case: Case) -> Any:
    return case.employee.employer.tenant


def _audit(event: str, case: Case, actor: Any, origin: Origin, **data: Any) -> None:
    record(
        event,
        origin=origin,
        actor=actor,
        tenant=_tenant(case),
        data={"case": case.pk, "employee": case.employee_id, **data},
    )


def view_case(*, case: Case, actor: Any, origin: Origin = SYSTEM) -> None:
    """Every read of a case page is recorded."""
    _audit(Event.CASE_VIEWED, case, actor, origin)


def _clean_name(name: str) -> str:
    """The uploader's file name without any path, for display only (never for storage)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[-200:] or "document"


def add_document(
    *,
    case: Case,
    actor: Any,
    upload: UploadedFile,
    kind: str,
    confidentiality: str,
    origin: Origin = SYSTEM,
) -> CaseDocument:
    """Store a PDF, DOCX, ODT, JPEG or PNG of at most 10 MB under a random name."""
    if not may_write_dossier(actor):
        raise PermissionDenied
    if confidentiality not in readable_confidentiality(actor):
        raise PermissionDenied
    if kind not in DocumentKind.values:
        raise DocumentRejected(_("Choose the type of document."))
    if upload.size is None or upload.size > filetypes.MAX_DOCUMENT_BYTES:
        raise DocumentRejected(_("The file is larger than 10 MB."))
    if upload.size == 0:
        raise DocumentRejected(_("The file is empty."))
    original = _clean_name(upload.name or "")
    found = filetypes.check(original, upload.file)
    if found is None:
        raise DocumentRejected(
            _(
                "Only PDF, Word (.docx), OpenDocument (.odt), JPEG and PNG files can be added, "
                "and the file must really be of the type its name says."
            )
        )
    ext = filetypes.extension_of(original)
    with transaction.atomic():
        _lock_case(case)
        document = CaseDocument(
            case=case,
            kind=kind,
            confidentiality=confidentiality,
            original_name=original,
            content_type=filetypes.CONTENT_TYPES[found],
            size=upload.size,
            uploaded_by=actor,
        )
        upload.seek(0)
        document.file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
        document.save()
        _audit(
            Event.CASE_DOCUMENT_ADDED,
            case,
            actor,
            origin,
            document=document.pk,
            kind=kind,
            confidentiality=confidentiality,
        )
    return document


def open_document(*, document: CaseDocument, actor: Any, origin: Origin = SYSTEM) -> IO[bytes]:
    """Open a document for reading (audited). The caller fetched it through a visible case."""
    if document.confidentiality not in readable_confidentiality(actor):
        raise PermissionDenied
    handle = document.file.open("rb")
    _audit(Event.CASE_DOCUMENT_READ, document.case, actor, origin, document=document.pk)
    return handle


def add_appointment(
    *,
    case: Case,
    actor: Any,
    with_role: str,
    starts_at: datetime,
    location: str = "",
    origin: Origin = SYSTEM,
) -> Appointment:
    if not may_plan_appointments(actor):
        raise PermissionDenied
    if with_role not in Appointment.With.values:
        raise AbsenceError(_("Choose with whom the appointment is."))
    with transaction.atomic():
        _lock_case(case)
        appointment = Appointment.objects.create(
            case=case,
            with_role=with_role,
            starts_at=starts_at,
            location=location.strip(),
            created_by=actor,
        )
        _audit(
            Event.APPOINTMENT_ADDED,
            case,
            actor,
            origin,
            appointment=appointment.pk,
            on=starts_at.isoformat(),
        )
    return appointment


def add_note(
    *, case: Case, actor: Any, text: str, visibility: str, origin: Origin = SYSTEM
) -> CaseNote:
    if not may_write_dossier(actor):
        raise PermissionDenied
    if visibility not in readable_note_visibility(actor):
        raise PermissionDenied
    if not text.strip():
        raise AbsenceError(_("Write the note."))
    with transaction.atomic():
        _lock_case(case)
        note = CaseNote.objects.create(
            case=case, text=text.strip(), visibility=visibility, author=actor
        )
        _audit(Event.CASE_NOTE_ADDED, case, actor, origin, note=note.pk, visibility=visibility)
    return note


def add_advice(
    *,
    case: Case,
    actor: Any,
    limitations: str,
    expected_duration: str = "",
    incapacity: int | None = None,
    origin: Origin = SYSTEM,
) -> WorkAbilityAdvice:
    """The physician's advice for the employer: limitations and capacities, no diagnosis."""
    if not may_advise(actor):
        raise PermissionDenied
    if incapacity is not None and not 0 <= incapacity <= 100:
        raise AbsenceError(_("Incapacity must be between 0 and 100 percent."))
    with transaction.atomic():
        _lock_case(case)
        advice = WorkAbilityAdvice.objects.create(
            case=case,
            limitations=limitations.strip(),
            expected_duration=expected_duration.strip(),
            incapacity=incapacity,
            author=actor,
        )
        _audit(Event.ADVICE_ADDED, case, actor, origin, advice=advice.pk)
    return advice


def add_medical_note(*, case: Case, actor: Any, text: str, origin: Origin = SYSTEM) -> MedicalNote:
    if not is_physician(actor):
        raise PermissionDenied
    if not text.strip():
        raise AbsenceError(_("Write the note."))
    with transaction.atomic():
        _lock_case(case)
        note = MedicalNote.objects.create(case=case, text=text.strip(), author=actor)
        _audit(Event.MEDICAL_NOTE_ADDED, case, actor, origin, note=note.pk)
    return note


def read_medical_notes(*, case: Case, actor: Any, origin: Origin = SYSTEM) -> QuerySet[MedicalNote]:
    """The case's medical notes for the physician (raises for anyone else); audited."""
    if not is_physician(actor):
        raise PermissionDenied
    notes = MedicalNote.objects.for_physician(actor).filter(case=case)
    _audit(Event.MEDICAL_NOTES_READ, case, actor, origin)
    return notes


def mark_task_done(*, task: CaseTask, actor: Any, origin: Origin = SYSTEM) -> CaseTask:
    if not may_write_dossier(actor):
        raise PermissionDenied
    with transaction.atomic():
        won = CaseTask.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
            state=TaskState.DONE, done_at=timezone.now(), done_by=actor
        )
        if not won:
            raise TaskNotOpen(_("This task is no longer open."))
        task.refresh_from_db()
        _audit(Event.CASE_TASK_DONE, task.case, actor, origin, task=task.pk, step=task.code)
        figure_cache.changed(getattr(actor, "tenant_id", None))  # the overdue counts
    return task
