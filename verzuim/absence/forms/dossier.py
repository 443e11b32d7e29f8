"""Forms of the case dossier: documents, appointments, notes, advice, medical notes.

Choices depend on the user: nobody can file a document or note under a class they could
not read themselves. Employer-side free text warns not to enter medical information.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from verzuim.absence import filetypes
from verzuim.absence.dossier_access import readable_confidentiality, readable_note_visibility
from verzuim.absence.forms.reports import NO_MEDICAL_INFORMATION
from verzuim.absence.models import Appointment, Confidentiality, DocumentKind, NoteVisibility
from verzuim.absence.scope import is_physician
from verzuim.core.forms import Form


def _limited(choices: list[tuple[str, Any]], allowed: list[str]) -> list[tuple[str, Any]]:
    return [(value, label) for value, label in choices if value in allowed]


class DocumentForm(Form):
    kind = forms.ChoiceField(label=_("Type of document"), choices=DocumentKind.choices)
    confidentiality = forms.ChoiceField(label=_("Who may read it"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG; at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = readable_confidentiality(user)
        choice = self.fields["confidentiality"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = _limited(Confidentiality.choices, allowed)
        self.fields["confidentiality"].initial = Confidentiality.EMPLOYER
        if not is_physician(user):
            self.fields["file"].help_text = _(
                "%(types)s Employer-side documents must not contain medical information "
                "(diagnosis, complaints)."
            ) % {"types": self.fields["file"].help_text}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is None or upload.size > filetypes.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if filetypes.check(upload.name or "", upload.file) is None:
            raise forms.ValidationError(
                _(
                    "Only PDF, Word (.docx), OpenDocument (.odt), JPEG and PNG files can be "
                    "added, and the file must really be of the type its name says."
                )
            )
        return upload


class AppointmentForm(Form):
    with_role = forms.ChoiceField(label=_("With"), choices=Appointment.With.choices)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(
        label=_("Place or link"),
        max_length=200,
        required=False,
        help_text=NO_MEDICAL_INFORMATION,
    )


class NoteForm(Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=NO_MEDICAL_INFORMATION,
    )
    visibility = forms.ChoiceField(label=_("Visible to"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = readable_note_visibility(user)
        choice = self.fields["visibility"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = _limited(NoteVisibility.choices, allowed)
        self.fields["visibility"].initial = NoteVisibility.EMPLOYER


class AdviceForm(Form):
    """The physician's advice for the employer: no diagnosis, no complaints."""

    limitations = forms.CharField(
        label=_("Work limitations and capacities"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The employer reads this. Describe what the employee can and cannot do; "
            "do not enter medical information (diagnosis, complaints)."
        ),
    )
    expected_duration = forms.CharField(
        label=_("Expected duration"),
        max_length=200,
        required=False,
        help_text=NO_MEDICAL_INFORMATION,
    )
    incapacity = forms.IntegerField(
        label=_("Incapacity (%)"), min_value=0, max_value=100, required=False
    )


class MedicalNoteForm(Form):
    text = forms.CharField(
        label=_("Medical note"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Part of the medical file: only occupational physicians can read it."),
    )
