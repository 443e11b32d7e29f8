"""Forms validate and never write: the actions do that."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from verzuim.accounts.models import Role
from verzuim.core.forms import Form, ModelForm
from verzuim.help.models import FaqItem, Manual, RequestStatus

MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
MAX_SCREENSHOT_SIDE = 4000
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


class HelpContentForm(ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("For roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to show it to everyone."),
    )

    class Meta:
        fields = ["title", "slug", "language", "audience", "order", "status", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        model = self._meta.model
        slug, language = data.get("slug"), data.get("language")
        if slug and language:
            clash = model.objects.for_tenant(self.tenant).filter(slug=slug, language=language)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("slug", _("This anchor is already used in this language."))
        return data

    def validate_unique(self) -> None:
        # Checked in clean() within the tenant; the tenant is not a form field.
        pass


class FaqItemForm(HelpContentForm):
    class Meta(HelpContentForm.Meta):
        model = FaqItem
        fields = [
            *HelpContentForm.Meta.fields[:4],
            "before_login",
            *HelpContentForm.Meta.fields[4:],
        ]


class ManualForm(HelpContentForm):
    class Meta(HelpContentForm.Meta):
        model = Manual


def check_screenshot(upload: UploadedFile) -> str:
    """The verified MIME type of a PNG or JPEG screenshot; raises ValidationError otherwise."""
    if upload.size is None or upload.size > MAX_SCREENSHOT_BYTES:
        raise forms.ValidationError(_("The screenshot may be at most 5 MB."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format or ""
            width, height = image.size
            if image_format not in IMAGE_TYPES:
                raise forms.ValidationError(_("Only PNG or JPEG images are accepted."))
            if width > MAX_SCREENSHOT_SIDE or height > MAX_SCREENSHOT_SIDE:
                raise forms.ValidationError(_("The screenshot may be at most 4000 × 4000 pixels."))
            image.verify()
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(_("This file is not a valid PNG or JPEG image.")) from None
    finally:
        upload.seek(0)
    return IMAGE_TYPES[image_format]


class SupportRequestForm(Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Your question or problem"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
    )
    error_reference = forms.CharField(
        label=_("Reference code (if you saw an error page)"),
        max_length=12,
        required=False,
        help_text=_("Filled in automatically when you came from an error page."),
    )
    screenshot = forms.FileField(
        label=_("Screenshot (optional)"),
        required=False,
        help_text=_("PNG or JPEG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_error_reference(self) -> str:
        from verzuim.help.queries import checked_reference

        value = self.cleaned_data.get("error_reference", "").strip()
        if not value:
            return ""
        code = checked_reference(self.tenant, value)
        if code is None:
            raise forms.ValidationError(
                _("We do not know this reference code. Check it, or leave the field empty.")
            )
        return code

    def clean_page(self) -> str:
        from verzuim.help.queries import local_path

        return local_path(self.cleaned_data.get("page"))

    def clean_screenshot(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        self.screenshot_type = check_screenshot(upload)
        return upload


class StatusForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=RequestStatus.choices)
