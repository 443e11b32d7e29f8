"""Pure CSV parsing and validation of the payroll import (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from verzuim.absence.importer import parse
from verzuim.absence.importer.parse import ImportFileError, Rejected, Row, parse_file

TODAY = date(2024, 6, 1)
HEADER = "personeelsnummer;voornaam;achternaam;startdatum;contracturen;fulltime-uren"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def only_row(data: bytes) -> Row:
    parsed = parse_file(data, TODAY)
    assert parsed.rejected == []
    assert len(parsed.rows) == 1
    return parsed.rows[0]


def reasons(data: bytes) -> list[tuple[int, str]]:
    parsed = parse_file(data, TODAY)
    return [(r.line, reason) for r in parsed.rejected for reason in r.reasons]


# --- file level -----------------------------------------------------------------------


def test_semicolon_file_with_bom_and_dutch_values():
    data = "\ufeff".encode() + csv("1001;Sara;de Vries;01-02-2020;32,5;40")
    row = only_row(data)
    assert (row.personnel_number, row.first_name, row.last_name) == ("1001", "Sara", "de Vries")
    assert row.start_date == date(2020, 2, 1)
    assert row.contract_hours == Decimal("32.50")
    assert row.end_date is None and row.department_path == () and row.manager == ""


def test_comma_file_with_iso_dates_and_quoted_decimal_comma():
    header = HEADER.replace(";", ",")
    row = only_row(csv('1001,Sara,Jansen,2020-02-01,"32,5",40', header=header))
    assert row.start_date == date(2020, 2, 1)
    assert row.contract_hours == Decimal("32.50")


def test_english_column_names_and_any_order():
    header = "start_date;last_name;first_name;personnel_number;fulltime_hours;contract_hours"
    row = only_row(csv("2020-01-01;Jansen;Piet;A-12;38;19", header=header))
    assert (row.personnel_number, row.contract_hours, row.fulltime_hours) == (
        "A-12",
        Decimal("19.00"),
        Decimal("38.00"),
    )


def test_tab_separated_and_crlf_line_ends():
    data = (HEADER.replace(";", "\t") + "\r\n1001\tSara\tJansen\t01-01-2020\t40\t40\r\n").encode()
    assert only_row(data).personnel_number == "1001"


def test_missing_required_columns_named_in_dutch():
    data = csv(
        "1001;Sara;2020-01-01;40;40",
        header="personeelsnummer;voornaam;startdatum;contracturen;fulltime-uren",
    )
    with pytest.raises(ImportFileError) as exc:
        parse_file(data, TODAY)
    assert "Required columns are missing: achternaam" in str(exc.value.message)


def test_duplicate_column_is_refused():
    with pytest.raises(ImportFileError, match="more than once"):
        parse_file(csv("1;a;b;2020-01-01;1;1;x", header=HEADER + ";first_name"), TODAY)


def test_unknown_columns_are_ignored_and_listed():
    parsed = parse_file(
        csv("1001;Sara;Jansen;2020-01-01;40;40;x", header=HEADER + ";Kostenplaats"), TODAY
    )
    assert parsed.ignored_columns == ["Kostenplaats"]
    assert len(parsed.rows) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        ("personeelsnummer;voornaam\n1;é\n".encode("latin-1"), "UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV"),
        (b"just some text without separators\n", "does not look like a CSV header"),
        (HEADER.encode() + b"\n", "no rows"),
        (HEADER.encode() + b'\n1;"Sara;x;2020-01-01;1;1\n', "check the quotes"),
    ],
)
def test_unusable_files_get_a_clear_message(data, message):
    with pytest.raises(ImportFileError) as exc:
        parse_file(data, TODAY)
    assert message in str(exc.value.message)


def test_file_size_limit(monkeypatch):
    monkeypatch.setattr(parse, "MAX_FILE_BYTES", 100)
    data = csv(*["1001;Sara;Jansen;2020-01-01;40;40"] * 5)
    assert len(data) > 100
    with pytest.raises(ImportFileError, match="larger than"):
        parse_file(data, TODAY)


def test_row_limit(monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 3)
    assert len(parse_file(csv(*[f"{n};S;J;2020-01-01;40;40" for n in range(3)]), TODAY).rows) == 3
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        parse_file(csv(*[f"{n};S;J;2020-01-01;40;40" for n in range(4)]), TODAY)


# --- values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-02-2020", date(2020, 2, 1)),
        ("1-2-2020", date(2020, 2, 1)),
        ("01/02/2020", date(2020, 2, 1)),
        ("01.02.2020", date(2020, 2, 1)),
        ("2020-02-01", date(2020, 2, 1)),
        (" 29-02-2024 ", date(2024, 2, 29)),
    ],
)
def test_dates(text, expected):
    assert parse.parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["29-02-2023", "32-01-2020", "01-13-2020", "01-02-20", "2020/02/01", "gisteren", "01-01-1899"],
)
def test_bad_dates(text):
    with pytest.raises(parse._Invalid):
        parse.parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40", "40.00"),
        ("36,5", "36.50"),
        ("36.5", "36.50"),
        ("0,01", "0.01"),
        ("80", "80.00"),
        ("12,345", "12.35"),
    ],
)
def test_hours(text, expected):
    assert parse.parse_hours(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["0", "0,00", "0,001", "80,01", "-4", "1.000,5", "veertig", "4e1", ""]
)
def test_bad_hours(text):
    with pytest.raises(parse._Invalid):
        parse.parse_hours(text)


@pytest.mark.parametrize(
    ("department", "parent", "expected"),
    [
        ("", "", ()),
        ("Verkoop", "", ("Verkoop",)),
        ("Productie/Inpak", "", ("Productie", "Inpak")),
        (" Productie / Inpak ", "", ("Productie", "Inpak")),
        ("Inpak", "Productie", ("Productie", "Inpak")),
        ("Inpak", "Bedrijf/Productie", ("Bedrijf", "Productie", "Inpak")),
    ],
)
def test_department_paths(department, parent, expected):
    assert parse.parse_department(department, parent) == expected


@pytest.mark.parametrize(
    ("department", "parent"), [("", "Productie"), ("A/a", ""), ("x" * 121, "")]
)
def test_bad_department_paths(department, parent):
    with pytest.raises(parse._Invalid):
        parse.parse_department(department, parent)


# --- rows ------------------------------------------------------------------------------

FULL = (
    "personeelsnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;e-mail;afdeling;"
    "afdeling_bovenliggend;leidinggevende;startdatum;einddatum;contracturen;fulltime-uren"
)


def test_all_columns():
    row = only_row(
        csv(
            "1001;Sara;de;Vries;12-03-1985;sara@example.nl;Inpak;Productie;mark.manager;01-01-2020;31-12-2021;32;40",
            header=FULL,
        )
    )
    assert row.last_name == "de Vries"
    assert row.date_of_birth == date(1985, 3, 12)
    assert row.email == "sara@example.nl"
    assert row.department_path == ("Productie", "Inpak")
    assert row.manager == "mark.manager"
    assert row.end_date == date(2021, 12, 31)


def test_every_problem_of_a_row_is_reported_with_its_line_number():
    data = csv(
        "1001;Sara;Jansen;01-01-2020;40;40",
        "bad number!;;;31-02-2020;0;90",
        "1003;Piet;Smit;01-01-2020;70;40",
    )
    found = reasons(data)
    lines = {line for line, _ in found}
    assert lines == {3, 4}
    texts = " | ".join(r for _, r in found)
    for expected in (
        "Personnel number: Use up to 30 letters",
        "First name is missing.",
        "Last name is missing.",
        "Start date: “31-02-2020” is not an existing date.",
        "Contract hours: Hours must be more than 0.",
        "Full-time hours: Hours must be at most 80 per week.",
        "more than 1.5 times the full-time hours",
    ):
        assert expected in texts


def test_end_before_start_future_birth_bad_email():
    header = (
        "personeelsnummer;voornaam;achternaam;geboortedatum;e-mail;startdatum;einddatum;"
        "contracturen;fulltime-uren"
    )
    data = csv("1;A;B;02-06-2024;geen-mail;01-01-2020;31-12-2019;40;40", header=header)
    texts = [r for _, r in reasons(data)]
    assert "Date of birth lies in the future." in texts
    assert "“geen-mail” is not a valid e-mail address." in texts
    assert "The end date lies before the start date." in texts


def test_end_on_start_day_is_fine():
    header = HEADER + ";einddatum"
    assert only_row(csv("1;A;B;01-01-2020;40;40;01-01-2020", header=header)).end_date == date(
        2020, 1, 1
    )


def test_row_numbers_count_header_as_one_and_keep_blank_lines_and_multiline_cells():
    data = csv(
        "1;A;B;01-01-2020;40;40",
        "",
        '2;"Multi',
        'line";B;01-01-2020;40;40',
        "3;A;B;not a date;40;40",
    )
    parsed = parse_file(data, TODAY)
    assert [r.line for r in parsed.rows] == [2, 4]
    assert [r.line for r in parsed.rejected] == [6]


def test_too_many_cells_and_short_rows():
    parsed = parse_file(csv("1;A;B;01-01-2020;40;40;extra", "2;A;B"), TODAY)
    by_line = {r.line: r.reasons for r in parsed.rejected}
    assert "more cells (7) than the header has columns (6)" in by_line[2][0]
    assert "Start date is missing." in by_line[3]
    assert "Contract hours are missing." in by_line[3]


def test_same_person_and_start_date_twice_rejects_the_second_row():
    parsed = parse_file(csv("1;A;B;01-01-2020;40;40", "1;A;B;2020-01-01;20;40"), TODAY)
    assert [r.line for r in parsed.rows] == [2]
    assert parsed.rejected == [
        Rejected(
            3, "1", ["Row 2 already has an employment of this employee starting on this date."]
        )
    ]


# --- overlaps --------------------------------------------------------------------------


def d(day: int) -> date:
    return date(2020, 1, day)


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([(d(1), d(10), "a"), (d(11), None, "b")], []),
        ([(d(1), d(10), "a"), (d(10), None, "b")], [("a", "b")]),
        ([(d(5), None, "b"), (d(1), None, "a")], [("a", "b")]),
        ([(d(1), d(30), "a"), (d(2), d(3), "b"), (d(10), d(11), "c")], [("a", "b"), ("a", "c")]),
        ([(d(1), d(3), "a"), (d(5), d(6), "b"), (d(7), None, "c")], []),
        ([], []),
    ],
)
def test_find_overlaps(periods, expected):
    assert parse.find_overlaps(periods) == expected
