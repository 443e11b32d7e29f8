"""AVG rules, proven on responses: employer-side users (HR, manager, case manager, broker)
never receive medical text or the names of medical documents, on any page of the sick
reports and the case, before or after any change they make; only the physician does."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.absence.case_world import (
    CASE_TEAM_MARKER,
    MEDICAL_MARKER,
    PDF,
    login,
)
from verzuim.absence.forms.dossier import AdviceForm, AppointmentForm, DocumentForm, NoteForm
from verzuim.absence.forms.reports import (
    CorrectionForm,
    RecoveryForm,
    SickReportForm,
    WithdrawForm,
)
from verzuim.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_case_world")]
EMPLOYER_SIDE = ("hr", "manager", "case_manager", "broker")
WARNING = "Do not enter medical information (diagnosis, complaints)"


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


def walk(client, world):
    """Every page of this area an employer-side user can reach, and the result pages of
    every change they can make. Yields (label, response)."""
    case, report = world.case, world.report
    task = case.tasks.get(key="problem_analysis")
    gets = {
        "report-sick": reverse("absence:report-sick", args=[world.employee.pk]),
        "recovery": reverse("absence:report-recovery", args=[report.pk]),
        "correct": reverse("absence:report-correct", args=[report.pk]),
        "withdraw": reverse("absence:report-withdraw", args=[report.pk]),
        "case": reverse("absence:case", args=[case.pk]),
        "document-add": reverse("absence:case-document-add", args=[case.pk]),
        "appointment-add": reverse("absence:case-appointment-add", args=[case.pk]),
        "note-add": reverse("absence:case-note-add", args=[case.pk]),
        "advice-add": reverse("absence:case-advice-add", args=[case.pk]),
        "medical": reverse("absence:case-medical", args=[case.pk]),
        **{
            f"document-{name}": reverse("absence:case-document", args=[case.pk, doc.pk])
            for name, doc in world.documents.items()
        },
    }
    for label, url in gets.items():
        yield label, client.get(url)
    entry = report.mutations.get()
    posts = [
        (
            "recovery-partial",
            gets["recovery"],
            {"kind": "partial", "on": "2026-05-18", "incapacity": "50"},
        ),
        ("recovery-invalid", gets["recovery"], {"kind": "full", "on": "2026-01-01"}),
        (
            "correct",
            gets["correct"],
            {
                "entry": entry.pk,
                "effective_date": "2026-05-03",
                "incapacity": "100",
                "reason": "late",
            },
        ),
        ("note", gets["note-add"], {"text": "Called", "visibility": "employer"}),
        ("note-invalid", gets["note-add"], {"text": "", "visibility": "employer"}),
        (
            "document",
            gets["document-add"],
            {
                "kind": "evaluation",
                "confidentiality": "employer",
                "file": SimpleUploadedFile("eval.pdf", PDF, content_type="application/pdf"),
            },
        ),
        (
            "appointment",
            gets["appointment-add"],
            {"with_role": "case_manager", "starts_at": "2026-06-03T10:00", "location": "Office"},
        ),
        ("advice", gets["advice-add"], {"limitations": "x"}),
        ("medical", gets["medical"], {"text": "my own medical note"}),
        ("task-done", reverse("absence:case-task-done", args=[case.pk, task.pk]), {}),
        (
            "report-sick-overlap",
            gets["report-sick"],
            {
                "first_sick_day": "2026-05-20",
                "classification": "sick",
                "expected_duration": "unknown",
                "incapacity": "100",
                "safety_net": "no",
                "third_party_liable": "no",
            },
        ),
        ("withdraw", gets["withdraw"], {"reason": "error"}),
    ]
    for label, url, data in posts:
        yield f"POST {label}", client.post(url, data, follow=True)
    yield "case-after", client.get(gets["case"])


@pytest.mark.parametrize("role", EMPLOYER_SIDE)
def test_employer_side_never_receives_medical_content(client, world, role):
    login(client, world.users[role])
    seen = []
    for label, response in walk(client, world):
        seen.append((label, response.status_code))
        text = body(response)
        assert MEDICAL_MARKER not in text, label
        if role != "case_manager":
            assert CASE_TEAM_MARKER not in text, label
    # The walk really reached the pages (not only error pages).
    assert ("case", 200) in seen and ("case-after", 200) in seen
    assert ("document-employer", 200) in seen
    assert ("document-medical", 404) in seen
    if role == "case_manager":
        assert ("document-case_team", 200) in seen


def test_the_physician_sees_the_medical_file(client, world):
    login(client, world.users["physician"])
    case_page = body(client.get(reverse("absence:case", args=[world.case.pk])))
    assert MEDICAL_MARKER in case_page  # the medical document is listed
    assert CASE_TEAM_MARKER in case_page
    assert "Medical file" in case_page
    medical = body(client.get(reverse("absence:case-medical", args=[world.case.pk])))
    assert f"Diagnosis {MEDICAL_MARKER}" in medical
    download = client.get(
        reverse("absence:case-document", args=[world.case.pk, world.documents["medical"].pk])
    )
    assert download.status_code == 200 and MEDICAL_MARKER in download["Content-Disposition"]


@pytest.mark.parametrize("role", EMPLOYER_SIDE)
def test_no_link_to_the_medical_file_for_the_employer_side(client, world, role):
    login(client, world.users[role])
    page = body(client.get(reverse("absence:case", args=[world.case.pk])))
    assert reverse("absence:case-medical", args=[world.case.pk]) not in page
    assert reverse("absence:case-advice-add", args=[world.case.pk]) not in page
    medical_doc = reverse(
        "absence:case-document", args=[world.case.pk, world.documents["medical"].pk]
    )
    assert medical_doc not in page


def test_nothing_medical_reaches_the_audit_log(client, world):
    login(client, world.users["physician"])
    client.get(reverse("absence:case-medical", args=[world.case.pk]))
    for event in AuditEvent.objects.all():
        assert MEDICAL_MARKER not in str(event.data)
        assert "Diagnosis" not in str(event.data)


MEDICAL_FIELD = re.compile(r"diagnos|complaint|klacht|symptom|medic|illness|ziekte", re.I)


@pytest.mark.parametrize(
    "form_class",
    [
        SickReportForm,
        RecoveryForm,
        CorrectionForm,
        WithdrawForm,
        DocumentForm,
        AppointmentForm,
        NoteForm,
        AdviceForm,
    ],
)
def test_employer_forms_have_no_medical_field(form_class, world):
    kwargs = {
        SickReportForm: {"employee": world.employee},
        RecoveryForm: {"report": world.report},
        CorrectionForm: {"report": world.report},
        DocumentForm: {"user": world.users["hr"]},
        NoteForm: {"user": world.users["hr"]},
    }.get(form_class, {})
    form = form_class(**kwargs)
    for name, field in form.fields.items():
        assert not MEDICAL_FIELD.search(name), name
        assert not MEDICAL_FIELD.search(str(field.label)), field.label


@pytest.mark.parametrize(
    ("url_name", "target"),
    [
        ("absence:report-sick", "employee"),
        ("absence:report-correct", "report"),
        ("absence:report-withdraw", "report"),
        ("absence:case-document-add", "case"),
        ("absence:case-note-add", "case"),
        ("absence:case-appointment-add", "case"),
    ],
)
def test_free_text_forms_warn_against_medical_information(client, world, url_name, target):
    login(client, world.users["hr"])
    page = body(client.get(reverse(url_name, args=[getattr(world, target).pk])))
    assert WARNING in page
    # Each free-text input is followed by the warning as its help text.
    inputs = re.findall(r'<(?:input type="text"|textarea)[^>]*name="([a-z_]+)"', page)
    assert inputs or url_name == "absence:case-document-add"
    for name in inputs:
        help_id = f"id_{name}_helptext"
        assert help_id in page, name
        start = page.index(f'id="{help_id}"')
        assert WARNING in page[start : start + 300], name
