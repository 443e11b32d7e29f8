"""Dossier actions: file type and size checks, confidentiality, role checks, audit."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.absence.case_world import NOW, PDF, login
from tests.factories import UserFactory, grant_scope
from verzuim.absence import filetypes
from verzuim.absence.actions import report_sick
from verzuim.absence.actions.dossier import (
    DocumentRejected,
    TaskNotOpen,
    add_advice,
    add_appointment,
    add_document,
    add_medical_note,
    add_note,
    mark_task_done,
    open_document,
    read_medical_notes,
)
from verzuim.absence.errors import AbsenceError
from verzuim.absence.models import CaseDocument, MedicalNote, TaskState
from verzuim.audit.models import AuditEvent, Event


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SAMPLES = {
    "pdf": PDF,
    "png": _image("PNG"),
    "jpg": _image("JPEG"),
    "jpeg": _image("JPEG"),
    "docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
}


# --- pure file type checks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ext", "kind"),
    [
        ("pdf", "pdf"),
        ("png", "png"),
        ("jpg", "jpeg"),
        ("jpeg", "jpeg"),
        ("docx", "docx"),
        ("odt", "odt"),
    ],
)
def test_sniff_recognises_allowed_content(ext, kind):
    assert filetypes.sniff_bytes(SAMPLES[ext]) == kind
    assert filetypes.check(f"file.{ext.upper()}", io.BytesIO(SAMPLES[ext])) == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", SAMPLES["png"]),
        ("a.docx", SAMPLES["odt"]),
        ("a.odt", SAMPLES["docx"]),
        ("a.docx", _zip({"payload.exe": b"MZ"})),  # any ZIP is not a Word file
        ("a.xlsx", _zip({"[Content_Types].xml": b"", "xl/workbook.xml": b""})),
        ("a.svg", b"<svg onload='alert(1)'/>"),
        ("a.pdf", b""),
        (".pdf", PDF),
        ("a.pdf.exe", PDF),
    ],
)
def test_check_refuses_mismatches(name, content):
    assert filetypes.check(name, io.BytesIO(content)) is None


# --- actions through the database -----------------------------------------------------------


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Many users per test: a cheap hasher keeps the matrix fast (hashing is tested in accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(db, employee, scoped, hr_user):
    return report_sick(employee=employee, actor=hr_user, first_sick_day=date(2026, 5, 4)).case


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.django_db
def test_add_document_stores_under_a_random_name_and_audits(case, hr_user):
    document = add_document(
        case=case,
        actor=hr_user,
        upload=upload("Brief.PDF", PDF),
        kind="correspondence",
        confidentiality="employer",
    )
    assert document.original_name == "Brief.PDF"
    assert document.size == len(PDF) and document.content_type == "application/pdf"
    assert "Brief" not in document.file.name and document.file.name.endswith(".pdf")
    other = add_document(
        case=case,
        actor=hr_user,
        upload=upload("Brief.PDF", PDF),
        kind="correspondence",
        confidentiality="employer",
    )
    assert other.file.name != document.file.name
    event = AuditEvent.objects.filter(event=Event.CASE_DOCUMENT_ADDED).order_by("id").first()
    assert event.data == {
        "case": case.pk,
        "employee": case.employee_id,
        "document": document.pk,
        "kind": "correspondence",
        "confidentiality": "employer",
    }


@pytest.mark.django_db
def test_add_document_refusals(case, hr_user, physician_user):
    with pytest.raises(DocumentRejected):
        add_document(
            case=case,
            actor=hr_user,
            upload=upload("x.pdf", b"MZ"),
            kind="other",
            confidentiality="employer",
        )
    with pytest.raises(DocumentRejected):
        add_document(
            case=case,
            actor=hr_user,
            upload=upload("x.pdf", b""),
            kind="other",
            confidentiality="employer",
        )
    with pytest.raises(DocumentRejected):
        add_document(
            case=case,
            actor=hr_user,
            upload=upload("x.pdf", PDF + b"0" * filetypes.MAX_DOCUMENT_BYTES),
            kind="other",
            confidentiality="employer",
        )
    with pytest.raises(DocumentRejected):
        add_document(
            case=case,
            actor=hr_user,
            upload=upload("x.pdf", PDF),
            kind="diagnosis",
            confidentiality="employer",
        )
    for confidentiality in ("medical", "case_team"):
        with pytest.raises(PermissionDenied):
            add_document(
                case=case,
                actor=hr_user,
                upload=upload("x.pdf", PDF),
                kind="other",
                confidentiality=confidentiality,
            )
    assert not CaseDocument.objects.exists()
    # Exactly 10 MB is allowed.
    exact = PDF + b"0" * (filetypes.MAX_DOCUMENT_BYTES - len(PDF))
    add_document(
        case=case,
        actor=physician_user,
        upload=upload("x.pdf", exact),
        kind="other",
        confidentiality="medical",
    )


@pytest.mark.django_db
def test_broker_cannot_write_the_dossier(case, tenant, employer):
    broker = UserFactory(tenant=tenant, roles=["broker"])
    grant_scope(broker, employer)
    with pytest.raises(PermissionDenied):
        add_document(
            case=case,
            actor=broker,
            upload=upload("x.pdf", PDF),
            kind="other",
            confidentiality="employer",
        )
    with pytest.raises(PermissionDenied):
        add_note(case=case, actor=broker, text="x", visibility="employer")
    with pytest.raises(PermissionDenied):
        mark_task_done(task=case.tasks.first(), actor=broker)


@pytest.mark.django_db
def test_open_document_checks_the_class_and_audits(
    case, hr_user, case_manager_user, physician_user
):
    team = add_document(
        case=case,
        actor=case_manager_user,
        upload=upload("t.pdf", PDF),
        kind="other",
        confidentiality="case_team",
    )
    medical = add_document(
        case=case,
        actor=physician_user,
        upload=upload("m.pdf", PDF),
        kind="other",
        confidentiality="medical",
    )
    with pytest.raises(PermissionDenied):
        open_document(document=team, actor=hr_user)
    with pytest.raises(PermissionDenied):
        open_document(document=medical, actor=case_manager_user)
    with open_document(document=team, actor=physician_user) as handle:
        assert handle.read() == PDF
    reads = AuditEvent.objects.filter(event=Event.CASE_DOCUMENT_READ)
    assert [e.data["document"] for e in reads] == [team.pk]


@pytest.mark.django_db
def test_notes_appointments_and_advice(
    case, hr_user, manager_user, case_manager_user, physician_user
):
    with pytest.raises(PermissionDenied):
        add_note(case=case, actor=hr_user, text="x", visibility="case_team")
    with pytest.raises(AbsenceError):
        add_note(case=case, actor=hr_user, text="   ", visibility="employer")
    note = add_note(case=case, actor=case_manager_user, text=" Team ", visibility="case_team")
    assert note.text == "Team"
    with pytest.raises(PermissionDenied):
        add_appointment(case=case, actor=manager_user, with_role="physician", starts_at=NOW)
    with pytest.raises(AbsenceError):
        add_appointment(case=case, actor=hr_user, with_role="dentist", starts_at=NOW)
    add_appointment(case=case, actor=hr_user, with_role="case_manager", starts_at=NOW)
    for user in (hr_user, manager_user, case_manager_user):
        with pytest.raises(PermissionDenied):
            add_advice(case=case, actor=user, limitations="x")
    with pytest.raises(AbsenceError):
        add_advice(case=case, actor=physician_user, limitations="x", incapacity=120)
    add_advice(case=case, actor=physician_user, limitations="Light work", incapacity=50)
    assert [e.event for e in AuditEvent.objects.filter(data__case=case.pk).order_by("id")] == [
        Event.CASE_NOTE_ADDED,
        Event.APPOINTMENT_ADDED,
        Event.ADVICE_ADDED,
    ]


@pytest.mark.django_db
def test_medical_notes_are_the_physicians_alone(
    case, hr_user, manager_user, case_manager_user, physician_user
):
    for user in (hr_user, manager_user, case_manager_user):
        with pytest.raises(PermissionDenied):
            add_medical_note(case=case, actor=user, text="x")
        with pytest.raises(PermissionDenied):
            read_medical_notes(case=case, actor=user)
        with pytest.raises(PermissionError):
            MedicalNote.objects.for_physician(user)
    add_medical_note(case=case, actor=physician_user, text="Findings")
    notes = read_medical_notes(case=case, actor=physician_user)
    assert [n.text for n in notes] == ["Findings"]
    events = AuditEvent.objects.filter(
        event__in=[Event.MEDICAL_NOTE_ADDED, Event.MEDICAL_NOTES_READ]
    )
    assert events.count() == 2
    assert all("Findings" not in str(e.data) for e in events)


@pytest.mark.django_db
def test_mark_task_done_once(case, hr_user):
    task = case.tasks.get(key="report_health_service")
    mark_task_done(task=task, actor=hr_user)
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.done_by == hr_user and task.done_at == NOW
    with pytest.raises(TaskNotOpen):
        mark_task_done(task=task, actor=hr_user)
    event = AuditEvent.objects.get(event=Event.CASE_TASK_DONE)
    assert event.data == {
        "case": case.pk,
        "employee": case.employee_id,
        "task": task.pk,
        "step": "report_health_service",
    }


def test_login_helper_is_importable():
    assert callable(login)
