"""Sick-report and case views: the permission matrix for every role and scope, and what a
user sees and can do on each page."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.absence.case_world import NOW, PDF, TODAY, login
from verzuim.absence.actions import report_change
from verzuim.absence.models import (
    Appointment,
    CaseDocument,
    CaseNote,
    MutationKind,
    SickReport,
    TaskState,
    WorkAbilityAdvice,
)
from verzuim.audit.models import AuditEvent, Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_case_world")]


def as_(client, world, role):
    return login(client, world.users[role], world.hosts.get(role, "testserver"))


# --- permission matrix --------------------------------------------------------------------

REPORTERS = {"hr": 200, "manager": 200, "case_manager": 200, "broker": 200, "physician": 403}
ALL_VISIBLE = {"hr": 200, "manager": 200, "case_manager": 200, "broker": 200, "physician": 200}
WRITERS = {"hr": 200, "manager": 200, "case_manager": 200, "broker": 403, "physician": 200}
PLANNERS = {"hr": 200, "manager": 403, "case_manager": 200, "broker": 403, "physician": 200}
PHYSICIAN_ONLY = {"hr": 403, "manager": 403, "case_manager": 403, "broker": 403, "physician": 200}
CASE_TEAM_DOC = {"hr": 404, "manager": 404, "case_manager": 200, "broker": 404, "physician": 200}
MEDICAL_DOC = {"hr": 404, "manager": 404, "case_manager": 404, "broker": 404, "physician": 200}
TASK_DONE = {"hr": 302, "manager": 302, "case_manager": 302, "broker": 403, "physician": 302}

VIEWS = {
    "report-sick": (
        "get",
        lambda w: reverse("absence:report-sick", args=[w.employee.pk]),
        REPORTERS,
    ),
    "report-recovery": (
        "get",
        lambda w: reverse("absence:report-recovery", args=[w.report.pk]),
        REPORTERS,
    ),
    "report-correct": (
        "get",
        lambda w: reverse("absence:report-correct", args=[w.report.pk]),
        REPORTERS,
    ),
    "report-withdraw": (
        "get",
        lambda w: reverse("absence:report-withdraw", args=[w.report.pk]),
        REPORTERS,
    ),
    "case": ("get", lambda w: reverse("absence:case", args=[w.case.pk]), ALL_VISIBLE),
    "document-add": (
        "get",
        lambda w: reverse("absence:case-document-add", args=[w.case.pk]),
        WRITERS,
    ),
    "document-employer": (
        "get",
        lambda w: reverse("absence:case-document", args=[w.case.pk, w.documents["employer"].pk]),
        ALL_VISIBLE,
    ),
    "document-case-team": (
        "get",
        lambda w: reverse("absence:case-document", args=[w.case.pk, w.documents["case_team"].pk]),
        CASE_TEAM_DOC,
    ),
    "document-medical": (
        "get",
        lambda w: reverse("absence:case-document", args=[w.case.pk, w.documents["medical"].pk]),
        MEDICAL_DOC,
    ),
    "appointment-add": (
        "get",
        lambda w: reverse("absence:case-appointment-add", args=[w.case.pk]),
        PLANNERS,
    ),
    "note-add": ("get", lambda w: reverse("absence:case-note-add", args=[w.case.pk]), WRITERS),
    "advice-add": (
        "get",
        lambda w: reverse("absence:case-advice-add", args=[w.case.pk]),
        PHYSICIAN_ONLY,
    ),
    "medical": ("get", lambda w: reverse("absence:case-medical", args=[w.case.pk]), PHYSICIAN_ONLY),
    "task-done": (
        "post",
        lambda w: reverse(
            "absence:case-task-done", args=[w.case.pk, w.case.tasks.get(key="problem_analysis").pk]
        ),
        TASK_DONE,
    ),
}
#: Users who must not even learn that the case exists.
OUT_OF_SCOPE = (
    "other_manager",
    "support",
    "tenant_admin",
    "foreign",
    "hr_other_employer",
    "hr_other_department",
)
ROLES = ("hr", "manager", "case_manager", "physician", "broker", *OUT_OF_SCOPE)
MATRIX = [
    pytest.param(view, role, VIEWS[view][2].get(role, 404), id=f"{view}-{role}")
    for view in VIEWS
    for role in ROLES
]


@pytest.mark.parametrize(("view", "role", "expected"), MATRIX)
def test_permission_matrix(client, world, view, role, expected):
    method, url, _ = VIEWS[view]
    client = as_(client, world, role)
    response = getattr(client, method)(url(world))
    assert response.status_code == expected


@pytest.mark.parametrize("view", list(VIEWS))
def test_anonymous_users_go_to_the_login_page(client, world, view):
    method, url, _ = VIEWS[view]
    response = getattr(client, method)(url(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_full_two_step_login_reaches_the_case(client, world, logged_in_client):
    client = logged_in_client(world.users["hr"])
    response = client.get(reverse("absence:case", args=[world.case.pk]))
    assert response.status_code == 200
    assert "Sara de Vries" in response.content.decode()


def test_a_case_of_another_employee_is_not_reachable_through_my_case(client, world, employer):
    """Nested ids must belong together: a task or document of another case is a 404."""
    from tests.factories import EmployeeFactory
    from verzuim.absence.actions import report_sick

    other = EmployeeFactory(employer=employer)
    other_case = report_sick(
        employee=other, actor=world.users["hr"], first_sick_day=date(2026, 5, 1)
    ).case
    client = as_(client, world, "hr")
    task = other_case.tasks.first()
    url = reverse("absence:case-task-done", args=[world.case.pk, task.pk])
    assert client.post(url).status_code == 404
    doc = world.documents["employer"]
    assert (
        client.get(reverse("absence:case-document", args=[other_case.pk, doc.pk])).status_code
        == 404
    )


# --- ziek melden ----------------------------------------------------------------------------


def test_hr_reports_sick_and_lands_on_the_case(client, world, employer):
    from tests.factories import EmployeeFactory

    person = EmployeeFactory(employer=employer, first_name="Ali", last_name="Yilmaz")
    client = as_(client, world, "hr")
    url = reverse("absence:report-sick", args=[person.pk])
    page = client.get(url).content.decode()
    assert f'value="{TODAY.isoformat()}"' in page  # first sick day defaults to today
    assert 'value="100"' in page
    assert "new_work_override" not in page  # no recent case: no override
    response = client.post(
        url,
        {
            "first_sick_day": "2026-05-28",
            "classification": "work_accident",
            "expected_duration": "week",
            "incapacity": "100",
            "nursing_address": "",
            "nursing_phone": "",
            "safety_net": "no",
            "third_party_liable": "yes",
        },
        follow=True,
    )
    report = SickReport.objects.get(employee=person)
    assert response.redirect_chain[-1][0] == reverse("absence:case", args=[report.case_id])
    page = response.content.decode()
    assert "Ali Yilmaz has been reported sick." in page
    assert report.classification == "work_accident" and report.third_party_liable
    assert not report.safety_net and report.first_sick_day == date(2026, 5, 28)


def test_report_sick_refusals_are_shown_on_the_form(client, world):
    client = as_(client, world, "hr")
    url = reverse("absence:report-sick", args=[world.employee.pk])
    base = {
        "classification": "sick",
        "expected_duration": "unknown",
        "incapacity": "100",
        "safety_net": "no",
        "third_party_liable": "no",
    }
    future = client.post(url, {**base, "first_sick_day": "2026-06-02"})
    assert future.status_code == 200
    assert "cannot be in the future" in future.content.decode()
    overlap = client.post(url, {**base, "first_sick_day": "2026-05-20"})
    assert overlap.status_code == 200
    assert "already reported sick since" in overlap.content.decode()
    assert SickReport.objects.filter(employee=world.employee).count() == 1


def test_override_is_offered_only_after_a_recent_recovery(client, world):
    report_change(report=world.report, actor=world.users["hr"], on=date(2026, 5, 18), incapacity=0)
    client = as_(client, world, "hr")
    url = reverse("absence:report-sick", args=[world.employee.pk])
    page = client.get(url).content.decode()
    assert 'name="new_work_override"' in page
    assert "nieuw bedongen arbeid" in page
    response = client.post(
        url,
        {
            "first_sick_day": "2026-05-25",
            "classification": "sick",
            "expected_duration": "unknown",
            "incapacity": "100",
            "safety_net": "no",
            "third_party_liable": "no",
            "new_work_override": "on",
        },
    )
    new = SickReport.objects.filter(employee=world.employee).latest("id")
    assert response.status_code == 302
    assert new.new_work_override and new.case_id != world.case.pk
    report_change(report=new, actor=world.users["hr"], on=date(2026, 6, 10), incapacity=0)
    with time_machine.travel(NOW.replace(month=7, day=7), tick=False):  # 27 days after
        login(client, world.users["hr"])
        assert 'name="new_work_override"' in client.get(url).content.decode()
    with time_machine.travel(NOW.replace(month=7, day=8), tick=False):  # 28 days after
        login(client, world.users["hr"])
        assert 'name="new_work_override"' not in client.get(url).content.decode()


# --- herstel melden, corrections, withdrawal ------------------------------------------------


def test_partial_then_full_recovery_through_the_pages(client, world):
    client = as_(client, world, "manager")
    url = reverse("absence:report-recovery", args=[world.report.pk])
    missing = client.post(url, {"kind": "partial", "on": "2026-05-18"})
    assert "Give the new incapacity percentage." in missing.content.decode()
    response = client.post(
        url, {"kind": "partial", "on": "2026-05-18", "incapacity": "50"}, follow=True
    )
    assert "The change has been recorded." in response.content.decode()
    world.report.refresh_from_db()
    assert world.report.incapacity == 50 and world.report.is_open
    early = client.post(url, {"kind": "full", "on": "2026-05-10"})
    assert "A change on" in early.content.decode()  # domain error shown on the form
    client.post(url, {"kind": "full", "on": "2026-05-25"})
    world.report.refresh_from_db()
    world.case.refresh_from_db()
    assert world.report.recovery_date == date(2026, 5, 25)
    assert world.case.recovery_date == date(2026, 5, 25)
    closed = client.get(url).content.decode()
    assert "This report is closed." in closed
    assert 'name="kind"' not in closed


def test_correction_keeps_the_old_entry_struck_through(client, world):
    client = as_(client, world, "hr")
    url = reverse("absence:report-correct", args=[world.report.pk])
    entry = world.report.mutations.get()
    no_reason = client.post(
        url, {"entry": entry.pk, "effective_date": "2026-05-01", "incapacity": "100", "reason": ""}
    )
    assert no_reason.status_code == 200
    assert world.report.mutations.count() == 1
    response = client.post(
        url,
        {
            "entry": entry.pk,
            "effective_date": "2026-05-01",
            "incapacity": "100",
            "reason": "Reported three days late",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "The correction has been recorded." in page
    assert "<del>" in page and "Reported three days late" in page
    assert "corrected by Hanna" in page
    world.report.refresh_from_db()
    assert world.report.first_sick_day == date(2026, 5, 1)
    # The superseded entry can no longer be chosen.
    form_page = client.get(url).content.decode()
    assert f'value="{entry.pk}"' not in form_page
    stale = client.post(
        url,
        {"entry": entry.pk, "effective_date": "2026-05-02", "incapacity": "100", "reason": "again"},
    )
    assert stale.status_code == 200
    assert world.report.mutations.count() == 2


def test_withdrawal_keeps_the_case_with_its_dossier(client, world):
    client = as_(client, world, "hr")
    url = reverse("absence:report-withdraw", args=[world.report.pk])
    response = client.post(url, {"reason": "Wrong person"}, follow=True)
    assert "The sick report has been withdrawn." in response.content.decode()
    world.report.refresh_from_db()
    assert world.report.withdrawn
    assert world.report.mutations.filter(kind=MutationKind.WITHDRAWN).exists()
    assert CaseNote.objects.filter(case=world.case).count() == 2  # dossier kept
    page = client.get(reverse("absence:case", args=[world.case.pk])).content.decode()
    assert "All reports of this case were withdrawn" in page


# --- the case page --------------------------------------------------------------------------


def test_case_page_shows_the_timeline_and_is_audited_on_every_view(client, world):
    client = as_(client, world, "hr")
    url = reverse("absence:case", args=[world.case.pk])
    page = client.get(url).content.decode()
    client.get(url)
    for text in (
        "Reported sick",
        "Probleemanalyse",
        "plan-van-aanpak.pdf",
        "Agreed to call every Monday",
        "No lifting over 10 kg",
        "Sick days counted so far",
    ):
        assert text in page, text
    assert "29 days" in page  # 4 May to 1 June, both included
    assert "sick week 5" in page
    views = AuditEvent.objects.filter(event=Event.CASE_VIEWED)
    assert views.count() == 2
    assert views.first().data == {"case": world.case.pk, "employee": world.employee.pk}
    assert views.first().actor == world.users["hr"]


def test_case_page_explains_samentellen(client, world):
    hr = world.users["hr"]
    report_change(report=world.report, actor=hr, on=date(2026, 5, 11), incapacity=0)
    from verzuim.absence.actions import report_sick

    report_sick(employee=world.employee, actor=hr, first_sick_day=date(2026, 5, 21))
    client = as_(client, world, "hr")
    page = client.get(reverse("absence:case", args=[world.case.pk])).content.decode()
    assert "Reports added together" in page
    assert "10 fit days" in page
    assert "19 days" in page  # 7 + 12 sick days; the 10 fit days do not count


def test_overdue_tasks_are_badged_and_can_be_marked_done(client, world):
    client = as_(client, world, "hr")
    task = world.case.tasks.get(key="report_health_service")  # week 1: overdue by now
    page = client.get(reverse("absence:case", args=[world.case.pk])).content.decode()
    assert "Overdue" in page and "Mark done" in page
    done_url = reverse("absence:case-task-done", args=[world.case.pk, task.pk])
    assert client.get(done_url).status_code == 405
    response = client.post(done_url, follow=True)
    assert "Task marked as done" in response.content.decode()
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.done_by == world.users["hr"]
    again = client.post(done_url, follow=True)
    assert "This task is no longer open." in again.content.decode()
    assert AuditEvent.objects.filter(event=Event.CASE_TASK_DONE).count() == 1


# --- documents ------------------------------------------------------------------------------


def upload(
    client, world, name, content, confidentiality="employer", content_type="application/pdf"
):
    return client.post(
        reverse("absence:case-document-add", args=[world.case.pk]),
        {
            "kind": "evaluation",
            "confidentiality": confidentiality,
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.exe", b"MZ\x90\x00"),
        ("evil.pdf", b"MZ\x90\x00 not a pdf"),  # wrong content, right name
        ("image.png", PDF),  # a PDF named .png
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("archive.docx", b"PK\x03\x04 not really a zip"),
        ("noextension", PDF),
    ],
)
def test_document_upload_refuses_wrong_types(client, world, name, content):
    client = as_(client, world, "hr")
    before = CaseDocument.objects.count()
    response = upload(client, world, name, content)
    assert response.status_code == 200
    assert "must really be of the type its name says" in response.content.decode()
    assert CaseDocument.objects.count() == before


def test_document_upload_refuses_more_than_10_mb(client, world):
    client = as_(client, world, "hr")
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = upload(client, world, "big.pdf", big)
    assert "larger than 10 MB" in response.content.decode()


def test_hr_cannot_file_a_medical_document(client, world):
    client = as_(client, world, "hr")
    page = client.get(reverse("absence:case-document-add", args=[world.case.pk])).content.decode()
    assert 'value="medical"' not in page and 'value="case_team"' not in page
    before = CaseDocument.objects.count()
    response = upload(client, world, "x.pdf", PDF, confidentiality="medical")
    assert response.status_code == 200
    assert CaseDocument.objects.count() == before


def test_upload_and_download_a_document(client, world):
    client = as_(client, world, "case_manager")
    response = upload(
        client,
        world,
        "../../etc/Evaluatie mei.pdf",
        PDF,
        confidentiality="case_team",
        content_type="text/html",
    )
    assert response.status_code == 302
    document = CaseDocument.objects.latest("id")
    assert document.original_name == "Evaluatie mei.pdf"
    assert document.content_type == "application/pdf"  # never the browser's claim
    assert "Evaluatie" not in document.file.name and ".." not in document.file.name
    assert document.file.name.endswith(".pdf")
    download = client.get(reverse("absence:case-document", args=[world.case.pk, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    events = AuditEvent.objects.filter(
        event__in=[Event.CASE_DOCUMENT_ADDED, Event.CASE_DOCUMENT_READ]
    )
    assert [e.event for e in events.order_by("id")][-2:] == [
        Event.CASE_DOCUMENT_ADDED,
        Event.CASE_DOCUMENT_READ,
    ]
    assert events.order_by("id").last().data["document"] == document.pk


@pytest.mark.parametrize("name", ["scan.png", "photo.JPG", "brief.docx", "brief.odt"])
def test_document_upload_accepts_the_allowed_types(client, world, name):
    from tests.absence.test_actions_dossier import SAMPLES

    client = as_(client, world, "hr")
    response = upload(
        client,
        world,
        name,
        SAMPLES[name.rsplit(".", 1)[1].lower()],
        content_type="application/octet-stream",
    )
    assert response.status_code == 302, response.content.decode()[:2000]


# --- appointments, notes, advice, medical file ----------------------------------------------


def test_plan_an_appointment(client, world):
    client = as_(client, world, "case_manager")
    url = reverse("absence:case-appointment-add", args=[world.case.pk])
    response = client.post(
        url,
        {
            "with_role": "physician",
            "starts_at": "2026-06-08T09:30",
            "location": "Arbodienst, Utrecht",
        },
        follow=True,
    )
    assert "The appointment has been planned." in response.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.location == "Arbodienst, Utrecht"
    assert "Arbodienst, Utrecht" in response.content.decode()
    assert AuditEvent.objects.filter(event=Event.APPOINTMENT_ADDED).count() == 1


def test_notes_by_visibility(client, world):
    client = as_(client, world, "manager")
    page = client.get(reverse("absence:case-note-add", args=[world.case.pk])).content.decode()
    assert 'value="case_team"' not in page
    response = client.post(
        reverse("absence:case-note-add", args=[world.case.pk]),
        {"text": "Offered adjusted hours", "visibility": "employer"},
        follow=True,
    )
    assert "Offered adjusted hours" in response.content.decode()
    forbidden = client.post(
        reverse("absence:case-note-add", args=[world.case.pk]),
        {"text": "secret", "visibility": "case_team"},
    )
    assert forbidden.status_code == 200  # not a valid choice for a manager
    assert not CaseNote.objects.filter(text="secret").exists()


def test_physician_advice_is_seen_by_the_employer(client, world):
    login(client, world.users["physician"])
    client.post(
        reverse("absence:case-advice-add", args=[world.case.pk]),
        {
            "limitations": "Can do desk work 3 days a week",
            "expected_duration": "",
            "incapacity": "40",
        },
    )
    assert WorkAbilityAdvice.objects.filter(incapacity=40).exists()
    login(client, world.users["manager"])
    page = client.get(reverse("absence:case", args=[world.case.pk])).content.decode()
    assert "Can do desk work 3 days a week" in page and "40%" in page


def test_medical_file_reads_are_audited(client, world):
    login(client, world.users["physician"])
    url = reverse("absence:case-medical", args=[world.case.pk])
    client.get(url)
    response = client.post(url, {"text": "Follow-up in two weeks"}, follow=True)
    assert "Follow-up in two weeks" in response.content.decode()
    reads = AuditEvent.objects.filter(event=Event.MEDICAL_NOTES_READ)
    assert reads.count() == 2  # the first visit and the page after adding
    assert reads.first().data == {"case": world.case.pk, "employee": world.employee.pk}
    added = AuditEvent.objects.filter(event=Event.MEDICAL_NOTE_ADDED)
    assert added.count() == 2 and all("Follow-up" not in str(e.data) for e in added)


def test_withdrawing_a_report_without_dossier_returns_to_the_employee(client, world, employer):
    from tests.factories import EmployeeFactory
    from verzuim.absence.actions import report_sick

    person = EmployeeFactory(employer=employer)
    report = report_sick(employee=person, actor=world.users["hr"], first_sick_day=date(2026, 5, 1))
    client = as_(client, world, "hr")
    response = client.post(
        reverse("absence:report-withdraw", args=[report.pk]), {"reason": "Entered twice"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("absence:employee", args=[person.pk])
    report.refresh_from_db()
    assert report.withdrawn and report.case_id is None


def test_built_in_task_titles_follow_the_language(client, world):
    """Protocol titles are data; the built-in ones are shown in the user's language."""
    from django.utils import translation

    from verzuim.absence.labels import task_title

    login(client, world.users["hr"])
    with translation.override("nl"):
        dutch = task_title("Report to the occupational health service")
    assert dutch != "Report to the occupational health service"
    url = reverse("absence:case", args=[world.case.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert dutch in page
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Report to the occupational health service" in english
    assert task_title("Own tenant step") == "Own tenant step"
