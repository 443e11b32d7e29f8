"""Helpers for tests that read pages the way a visitor sees them."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.html import escape

REFERENCE_RE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")


def shown(text: str) -> str:
    """What a page shows for a source string: its translation into the interface language
    (Dutch by default; the test suite reads the English source texts), HTML-escaped."""
    with translation.override(settings.LANGUAGE_CODE):
        return escape(translation.gettext(text))


def body(response: HttpResponse) -> str:
    return response.content.decode()


def shown_reference(response: HttpResponse) -> str:
    """The reference code on an error page; it must equal the X-Request-Reference header."""
    header = response["X-Request-Reference"]
    assert REFERENCE_RE.fullmatch(header), header
    match = re.search(r'class="reference-code">([^<]+)<', body(response))
    assert match, body(response)[:2000]
    assert match.group(1) == header
    return header
