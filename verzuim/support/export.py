"""The audit log as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from verzuim.audit.models import AuditEvent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (CSV/formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def header() -> list[str]:
    return [
        _("time"),
        _("event"),
        _("outcome"),
        _("actor"),
        _("subject"),
        _("login name entered"),
        _("ip"),
        _("reference"),
        _("details"),
    ]


def row(event: AuditEvent) -> list[str]:
    return [
        safe_cell(value)
        for value in (
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.get_event_display(),
            event.get_outcome_display(),
            event.actor.username if event.actor else "",
            event.subject.username if event.subject else "",
            event.login_name,
            event.ip or "",
            event.reference,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
        )
    ]


def render_csv(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The header line, then one line per event."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in [header()] + [row(e) for e in events]:
        writer.writerow(values)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
