"""Reading a payroll CSV export into plain, validated rows (pure: no database).

The file's columns are described in ``docs/csv-import.md``. Everything here works on plain
values: bytes in, ``ParsedFile`` out. File-level problems (size, encoding, missing
columns) raise ``ImportFileError``; row-level problems are collected per row so the report
can list every rejected row, not just the first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from verzuim.absence.errors import AbsenceError
from verzuim.absence.models.organisation import personnel_number_validator

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_HOURS = Decimal("80")
#: Contract hours above full-time hours × this factor are almost surely swapped columns.
MAX_CONTRACT_FACTOR = Decimal("1.5")
DEPARTMENT_SEPARATOR = "/"
EARLIEST = date(1900, 1, 1)

# Canonical column → accepted header spellings (compared after ``_norm_header``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "personnel_number": ("personeelsnummer", "personnel_number", "personnelnumber", "persnr"),
    "first_name": ("voornaam", "first_name", "firstname", "roepnaam"),
    "prefix": ("tussenvoegsel", "voorvoegsel", "prefix"),
    "last_name": ("achternaam", "last_name", "lastname", "surname"),
    "date_of_birth": ("geboortedatum", "date_of_birth", "birth_date"),
    "email": ("e_mail", "email", "emailadres", "e_mailadres"),
    "department": ("afdeling", "department"),
    "parent_department": ("afdeling_bovenliggend", "parent_department"),
    "manager": ("leidinggevende", "manager"),
    "start_date": ("startdatum", "datum_in_dienst", "start_date"),
    "end_date": ("einddatum", "datum_uit_dienst", "end_date"),
    "contract_hours": ("contracturen", "contract_hours"),
    "fulltime_hours": ("fulltime_uren", "voltijduren", "fulltime_hours", "full_time_hours"),
}
REQUIRED = (
    "personnel_number",
    "first_name",
    "last_name",
    "start_date",
    "contract_hours",
    "fulltime_hours",
)
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DUTCH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_HOURS = re.compile(r"^\d{1,3}([.,]\d+)?$")


class ImportFileError(AbsenceError):
    """The file as a whole cannot be imported (size, encoding, not a CSV, columns)."""


@dataclass(frozen=True)
class Row:
    """One valid data row, in plain values (``line`` as in the file, header = 1)."""

    line: int
    personnel_number: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    email: str
    department_path: tuple[str, ...]
    manager: str
    start_date: date
    end_date: date | None
    contract_hours: Decimal
    fulltime_hours: Decimal


@dataclass
class Rejected:
    line: int
    personnel_number: str
    reasons: list[str]


@dataclass
class ParsedFile:
    columns: frozenset[str]
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows) + len(self.rejected)


# --- file level ------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 text of ``data`` (a byte-order mark is dropped); clear errors otherwise."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(max)d MB. Split it into smaller files.")
            % {"max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            _("This is not a CSV file. Export the data as CSV (comma or semicolon separated).")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "The file is not in UTF-8 encoding. Save it as “CSV UTF-8” in your "
                "spreadsheet program and try again."
            )
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """``;``, ``,`` or tab: whichever separates the most header cells."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise ImportFileError(
            _(
                "The first line does not look like a CSV header: no semicolons or commas "
                "found. Export the data as CSV with column names on the first line."
            )
        )
    return best


def _norm_header(name: str) -> str:
    return re.sub(r"[\s\-_.]+", "_", name.strip().lower()).strip("_")


def map_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column positions by canonical name, and the header names that were ignored."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        key = _ALIASES.get(_norm_header(cell))
        if key is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if key in positions:
            raise ImportFileError(
                _("The column “%(name)s” appears more than once.") % {"name": cell.strip()}
            )
        positions[key] = index
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(names)s. See the import instructions.")
            % {"names": ", ".join(missing)}
        )
    return positions, ignored


# --- values ----------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def parse_date(text: str) -> date:
    """``dd-mm-jjjj`` (also with ``/`` or ``.``) or ISO ``jjjj-mm-dd``."""
    value = text.strip()
    if m := _ISO.match(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DUTCH.match(value):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise _Invalid(_("“%(value)s” is not a date (use dd-mm-jjjj).") % {"value": value})
    try:
        result = date(year, month, day)
    except ValueError:
        raise _Invalid(_("“%(value)s” is not an existing date.") % {"value": value}) from None
    if result < EARLIEST:
        raise _Invalid(_("“%(value)s” is too far in the past.") % {"value": value})
    return result


def parse_hours(text: str) -> Decimal:
    """Hours per week: decimal comma or point, more than 0 and at most 80."""
    value = text.strip()
    if not _HOURS.match(value):
        raise _Invalid(_("“%(value)s” is not a number of hours.") % {"value": value})
    try:
        hours = Decimal(value.replace(",", ".")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes these
        raise _Invalid(_("“%(value)s” is not a number of hours.") % {"value": value}) from None
    if hours <= 0:
        raise _Invalid(_("Hours must be more than 0."))
    if hours > MAX_HOURS:
        raise _Invalid(_("Hours must be at most %(max)s per week.") % {"max": MAX_HOURS})
    return hours


def parse_department(department: str, parent: str) -> tuple[str, ...]:
    """A department path: ``Productie/Inpak``, optionally below ``parent`` (itself a path)."""
    parts = [p.strip() for p in f"{parent}/{department}".split(DEPARTMENT_SEPARATOR)]
    if not department.strip():
        if parent.strip():
            raise _Invalid(_("A parent department is given without a department."))
        return ()
    parts = [p for p in parts if p]
    for part in parts:
        if len(part) > 120:
            raise _Invalid(_("A department name may be at most 120 characters."))
    if len({p.casefold() for p in parts}) != len(parts):
        raise _Invalid(_("A department cannot be part of itself."))
    return tuple(parts)


# --- rows ------------------------------------------------------------------------------


def _cell(cells: list[str], positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def parse_row(
    line: int, cells: list[str], positions: dict[str, int], today: date
) -> Row | Rejected:
    reasons: list[str] = []
    get = lambda key: _cell(cells, positions, key)  # noqa: E731

    def check(label: str, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except _Invalid as exc:
            reasons.append(f"{label}: {exc}")
            return None

    number = get("personnel_number")
    if not number:
        reasons.append(_("Personnel number is missing."))
    else:
        try:
            personnel_number_validator(number)
        except ValidationError as exc:
            reasons.append(_("Personnel number: %(msg)s") % {"msg": " ".join(exc.messages)})

    first_name = get("first_name")
    last_name = " ".join(p for p in (get("prefix"), get("last_name")) if p)
    if not first_name:
        reasons.append(_("First name is missing."))
    elif len(first_name) > 80:
        reasons.append(_("First name may be at most 80 characters."))
    if not get("last_name"):
        reasons.append(_("Last name is missing."))
    elif len(last_name) > 120:
        reasons.append(_("Last name may be at most 120 characters."))

    birth = None
    if get("date_of_birth"):
        birth = check(_("Date of birth"), parse_date, get("date_of_birth"))
        if birth and birth > today:
            reasons.append(_("Date of birth lies in the future."))

    email = get("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(_("“%(value)s” is not a valid e-mail address.") % {"value": email})
        if len(email) > 254:
            reasons.append(_("The e-mail address is too long."))

    path = check(_("Department"), parse_department, get("department"), get("parent_department"))
    manager = get("manager")
    if len(manager) > 150:
        reasons.append(_("The manager's login name is too long."))

    start = None
    if not get("start_date"):
        reasons.append(_("Start date is missing."))
    else:
        start = check(_("Start date"), parse_date, get("start_date"))
    end = check(_("End date"), parse_date, get("end_date")) if get("end_date") else None
    if start and end and end < start:
        reasons.append(_("The end date lies before the start date."))

    contract = fulltime = None
    if not get("contract_hours"):
        reasons.append(_("Contract hours are missing."))
    else:
        contract = check(_("Contract hours"), parse_hours, get("contract_hours"))
    if not get("fulltime_hours"):
        reasons.append(_("Full-time hours are missing."))
    else:
        fulltime = check(_("Full-time hours"), parse_hours, get("fulltime_hours"))
    if contract and fulltime and contract > fulltime * MAX_CONTRACT_FACTOR:
        reasons.append(
            _(
                "Contract hours (%(contract)s) are more than 1.5 times the full-time hours "
                "(%(fulltime)s); are the columns swapped?"
            )
            % {"contract": contract, "fulltime": fulltime}
        )

    if reasons:
        return Rejected(line, number, reasons)
    assert start is not None and contract is not None and fulltime is not None
    return Row(
        line=line,
        personnel_number=number,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=birth,
        email=email,
        department_path=path or (),
        manager=manager,
        start_date=start,
        end_date=end,
        contract_hours=contract,
        fulltime_hours=fulltime,
    )


def _records(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """(line number where the record starts, cells), header included, blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield start, cells
            start = reader.line_num + 1
    except csv.Error:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV (check the quotes).") % {"line": start}
        ) from None


def parse_file(data: bytes, today: date) -> ParsedFile:
    """Decode, check the header and parse every row; cross-row checks included."""
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    records = iter(_records(text, delimiter))
    try:
        _line, header = next(records)
    except StopIteration:  # pragma: no cover - decode() refuses blank files
        raise ImportFileError(_("The file is empty.")) from None
    positions, ignored = map_header(header)
    parsed = ParsedFile(columns=frozenset(positions), ignored_columns=ignored)
    for line, cells in records:
        if parsed.row_count >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d rows. Split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        if len(cells) > len(header):
            parsed.rejected.append(
                Rejected(
                    line,
                    _cell(cells, positions, "personnel_number"),
                    [
                        _(
                            "The row has more cells (%(cells)d) than the header has "
                            "columns (%(columns)d)."
                        )
                        % {"cells": len(cells), "columns": len(header)}
                    ],
                )
            )
            continue
        result = parse_row(line, cells, positions, today)
        if isinstance(result, Rejected):
            parsed.rejected.append(result)
        else:
            parsed.rows.append(result)
    if parsed.row_count == 0:
        raise ImportFileError(_("The file has a header but no rows."))
    check_duplicates(parsed)
    return parsed


def check_duplicates(parsed: ParsedFile) -> None:
    """Reject a second row for the same personnel number and start date."""
    seen: dict[tuple[str, date], int] = {}
    kept: list[Row] = []
    for row in parsed.rows:
        key = (row.personnel_number, row.start_date)
        if key in seen:
            parsed.rejected.append(
                Rejected(
                    row.line,
                    row.personnel_number,
                    [
                        _(
                            "Row %(other)d already has an employment of this employee "
                            "starting on this date."
                        )
                        % {"other": seen[key]}
                    ],
                )
            )
        else:
            seen[key] = row.line
            kept.append(row)
    parsed.rows = kept


def find_overlaps(
    periods: list[tuple[date, date | None, object]],
) -> list[tuple[object, object]]:
    """Pairs (earlier, later) of labels whose periods overlap.

    ``periods`` are (start, inclusive end or None for open, label). Each period that starts
    before an earlier one has ended is reported once, with the earlier period that reaches
    furthest.
    """
    ordered = sorted(periods, key=lambda p: p[0])
    found: list[tuple[object, object]] = []
    reach: tuple[date | None, object] | None = None
    for start, end, label in ordered:
        if reach is not None:
            reach_end, reach_label = reach
            if reach_end is None or start <= reach_end:
                found.append((reach_label, label))
        if reach is None or reach[0] is not None and (end is None or end > reach[0]):
            reach = (end, label)
    return found
