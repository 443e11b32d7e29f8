"""URL patterns of sick reports and the case page (mounted by verzuim/absence/urls.py)."""

from django.urls import URLPattern, path

from verzuim.absence.views import cases, reports
from verzuim.core import ratelimit as rl

urlpatterns: list[URLPattern] = [
    path("medewerkers/<int:employee_pk>/ziekmelden/", reports.report_sick, name="report-sick"),
    path("ziekmeldingen/<int:pk>/herstel/", reports.report_recovery, name="report-recovery"),
    path("ziekmeldingen/<int:pk>/correctie/", reports.report_correct, name="report-correct"),
    path("ziekmeldingen/<int:pk>/intrekken/", reports.report_withdraw, name="report-withdraw"),
    path("trajecten/<int:pk>/", cases.case_detail, name="case"),
    path(
        "trajecten/<int:pk>/documenten/nieuw/",
        rl.rate_limited(*rl.UPLOAD, methods=("POST",))(cases.document_add),
        name="case-document-add",
    ),
    path(
        "trajecten/<int:pk>/documenten/<int:document_pk>/",
        cases.document_download,
        name="case-document",
    ),
    path(
        "trajecten/<int:pk>/afspraken/nieuw/",
        cases.appointment_add,
        name="case-appointment-add",
    ),
    path("trajecten/<int:pk>/notities/nieuw/", cases.note_add, name="case-note-add"),
    path("trajecten/<int:pk>/advies/nieuw/", cases.advice_add, name="case-advice-add"),
    path("trajecten/<int:pk>/medisch/", cases.medical, name="case-medical"),
    path(
        "trajecten/<int:pk>/taken/<int:task_pk>/afgerond/",
        cases.task_done,
        name="case-task-done",
    ),
]
