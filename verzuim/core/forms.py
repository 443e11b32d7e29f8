"""Base classes for every form of the portal: refused input is logged (ASVS V16.3.3).

The log line names the form and the fields that were refused, never the values typed: they
may be passwords, codes or health information. The request's reference code (added by the
logging filter) ties the line to the request.
"""

from __future__ import annotations

import logging

from django import forms

logger = logging.getLogger("verzuim.security.input")


def _log_refused(form: forms.BaseForm) -> None:
    # After full_clean the errors are known; ``form.errors`` would not clean again.
    errors = getattr(form, "_errors", None)
    if form.is_bound and errors:
        logger.info(
            "input refused: form=%s.%s fields=%s",
            type(form).__module__, type(form).__qualname__, ",".join(sorted(errors)) or "-",
        )


class Form(forms.Form):
    def full_clean(self) -> None:
        super().full_clean()
        _log_refused(self)


class ModelForm(forms.ModelForm):
    def full_clean(self) -> None:
        super().full_clean()
        _log_refused(self)
