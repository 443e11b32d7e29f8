"""The case (traject) page and its dossier: documents, appointments, notes, advice,
medical notes and tasks. Thin views: scoped fetch (404 out of scope), role check (403),
form, one action, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verzuim.absence.actions import dossier
from verzuim.absence.dossier_access import (
    documents_for,
    may_advise,
    may_plan_appointments,
    may_write_dossier,
)
from verzuim.absence.errors import AbsenceError
from verzuim.absence.forms.dossier import (
    AdviceForm,
    AppointmentForm,
    DocumentForm,
    MedicalNoteForm,
    NoteForm,
)
from verzuim.absence.models import Case, CaseTask
from verzuim.absence.scope import get_visible_or_404, is_physician
from verzuim.absence.views.case_page import case_context
from verzuim.core.request import Origin


def _case(request: HttpRequest, pk: int, allowed: Callable[[Any], bool] | None = None) -> Case:
    case = get_visible_or_404(
        Case.objects.select_related("employee__employer__tenant", "protocol"),
        request.user,
        pk=pk,
    )
    if allowed is not None and not allowed(request.user):
        raise PermissionDenied
    return case


def _to_case(case: Case) -> HttpResponse:
    return redirect("absence:case", pk=case.pk)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    dossier.view_case(case=case, actor=request.user, origin=Origin.from_request(request))
    return render(request, "absence/cases/case.html", case_context(case, request.user))


@login_required
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, may_write_dossier)
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            dossier.add_document(
                case=case,
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                confidentiality=form.cleaned_data["confidentiality"],
                origin=Origin.from_request(request),
            )
        except AbsenceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The document has been added."))
            return _to_case(case)
    return render(request, "absence/cases/document_add.html", {"case": case, "form": form})


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    case = _case(request, pk)
    # Documents the user may not read are not listed, and their address does not exist.
    document = documents_for(case, request.user).filter(pk=document_pk).first()
    if document is None:
        raise Http404
    try:
        handle = dossier.open_document(
            document=document, actor=request.user, origin=Origin.from_request(request)
        )
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _add_to_dossier(
    request: HttpRequest,
    pk: int,
    *,
    may: Callable[[Any], bool],
    form: forms.Form,
    add: Callable[..., Any],
    done: str,
    template: str,
) -> HttpResponse:
    """The shared shape of the dossier forms: scoped case, validate, add, say so, back."""
    case = _case(request, pk, may)
    if request.method == "POST" and form.is_valid():
        try:
            add(
                case=case,
                actor=request.user,
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        except AbsenceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, done)
            return _to_case(case)
    return render(request, template, {"case": case, "form": form})


@login_required
def appointment_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_dossier(
        request,
        pk,
        may=may_plan_appointments,
        form=AppointmentForm(request.POST or None),
        add=dossier.add_appointment,
        done=_("The appointment has been planned."),
        template="absence/cases/appointment_add.html",
    )


@login_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_dossier(
        request,
        pk,
        may=may_write_dossier,
        form=NoteForm(request.POST or None, user=request.user),
        add=dossier.add_note,
        done=_("The note has been added."),
        template="absence/cases/note_add.html",
    )


@login_required
def advice_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_dossier(
        request,
        pk,
        may=may_advise,
        form=AdviceForm(request.POST or None),
        add=dossier.add_advice,
        done=_("The advice has been added."),
        template="absence/cases/advice_add.html",
    )


@login_required
def medical(request: HttpRequest, pk: int) -> HttpResponse:
    """The medical file of the case: the occupational physician's alone; every read audited."""
    case = _case(request, pk, is_physician)
    origin = Origin.from_request(request)
    form = MedicalNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier.add_medical_note(
                case=case, actor=request.user, text=form.cleaned_data["text"], origin=origin
            )
        except AbsenceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The medical note has been added."))
            return redirect("absence:case-medical", pk=case.pk)
    notes = dossier.read_medical_notes(case=case, actor=request.user, origin=origin)
    return render(
        request,
        "absence/cases/medical.html",
        {"case": case, "form": form, "notes": notes.select_related("author")},
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    case = _case(request, pk, may_write_dossier)
    task: CaseTask = get_visible_or_404(CaseTask.objects.all(), request.user, pk=task_pk, case=case)
    try:
        dossier.mark_task_done(task=task, actor=request.user, origin=Origin.from_request(request))
    except AbsenceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Task marked as done: %(title)s") % {"title": task.display_title}
        )
    return _to_case(case)
