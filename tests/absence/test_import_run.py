"""The import action against the database: idempotency, dry run, all-or-nothing, scale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory
from verzuim.absence.importer.parse import ImportFileError
from verzuim.absence.importer.refresh import refresh_employee
from verzuim.absence.importer.run import import_employees
from verzuim.absence.models import Department, Employee, Employment
from verzuim.audit.models import AuditEvent, Event

SAMPLE = Path(__file__).parent / "data" / "payroll.csv"
TODAY = date(2024, 6, 1)
HEADER = (
    "personeelsnummer;voornaam;achternaam;afdeling;leidinggevende;startdatum;einddatum;"
    "contracturen;fulltime-uren"
)


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def run(employer, data, **kwargs):
    return import_employees(employer, data, today=TODAY, **kwargs)


def snapshot(employer):
    """Everything the import may touch, as plain values."""
    return (
        sorted(
            Employee.objects.filter(employer=employer).values_list(
                "personnel_number",
                "first_name",
                "last_name",
                "date_of_birth",
                "email",
                "department_id",
                "manager_id",
                "updated_at",
            )
        ),
        sorted(
            Employment.objects.filter(employee__employer=employer).values_list(
                "employee_id",
                "start_date",
                "end_date",
                "contract_hours",
                "fulltime_hours",
                "department_id",
                "manager_id",
                "start_ord",
                "end_ord",
                "parttime_factor",
            )
        ),
        sorted(Department.objects.filter(employer=employer).values_list("name", "parent__name")),
    )


def test_sample_file_imports_people_history_departments_and_cache(employer, manager_user):
    report = run(employer, SAMPLE.read_bytes())
    assert report.ok and report.written
    assert (report.rows, report.employees_created, report.employments_created) == (3, 2, 3)
    assert report.departments_created == ["Inpak", "Productie", "Verkoop"]

    inpak = Department.objects.get(employer=employer, name="Inpak")
    assert inpak.parent.name == "Productie" and inpak.parent.parent is None
    sara = Employee.objects.get(employer=employer, personnel_number="1001")
    assert (sara.first_name, sara.last_name, sara.email) == ("Sara", "de Vries", "sara@example.nl")
    assert sara.date_of_birth == date(1985, 3, 12)
    assert (sara.department, sara.manager) == (inpak, manager_user)
    history = list(sara.employments.order_by("start_date"))
    assert [(e.start_date, e.end_date, e.contract_hours) for e in history] == [
        (date(2020, 1, 1), date(2021, 12, 31), Decimal("32.00")),
        (date(2022, 1, 1), None, Decimal("36.50")),
    ]
    assert history[0].end_ord == date(2022, 1, 1).toordinal()
    assert history[1].parttime_factor == pytest.approx(36.5 / 40)
    tom = Employee.objects.get(employer=employer, personnel_number="1002")
    assert tom.department.name == "Verkoop" and tom.manager is None and tom.email == ""


def test_reimporting_the_same_file_changes_nothing(employer, manager_user):
    run(employer, SAMPLE.read_bytes())
    before = snapshot(employer)
    report = run(employer, SAMPLE.read_bytes())
    assert (report.employees_created, report.employees_updated, report.employees_unchanged) == (
        0,
        0,
        2,
    )
    assert (
        report.employments_created,
        report.employments_updated,
        report.employments_unchanged,
    ) == (0, 0, 3)
    assert report.departments_created == []
    assert snapshot(employer) == before


def test_changed_name_hours_end_date_and_department_update_in_place(employer, manager_user):
    run(employer, csv("7;Piet;Jansen;Verkoop;mark.manager;01-01-2020;;40;40"))
    employment = Employment.objects.get(employee__personnel_number="7")
    report = run(employer, csv("7;Pieter;Jansen;Inkoop;;01-01-2020;30-06-2024;24;40"))
    assert (report.employees_updated, report.employments_updated) == (1, 1)
    assert report.employees_created == report.employments_created == 0
    employment.refresh_from_db()
    assert employment.contract_hours == Decimal("24.00")
    assert employment.end_date == date(2024, 6, 30)
    assert employment.end_ord == date(2024, 7, 1).toordinal()
    assert employment.parttime_factor == pytest.approx(0.6)
    assert employment.department.name == "Inkoop" and employment.manager is None
    person = employment.employee
    person.refresh_from_db()
    assert person.first_name == "Pieter"
    assert (person.department.name, person.manager) == ("Inkoop", None)


def test_absent_optional_columns_leave_stored_values_alone(employer, sales, manager_user):
    EmployeeFactory(
        employer=employer,
        personnel_number="7",
        first_name="Piet",
        last_name="Jansen",
        email="piet@example.nl",
        department=sales,
        manager=manager_user,
        employed__start=date(2020, 1, 1),
    )
    header = "personeelsnummer;voornaam;achternaam;startdatum;contracturen;fulltime-uren"
    report = run(employer, csv("7;Piet;Jansen;01-01-2020;40;40", header=header))
    assert (report.employees_unchanged, report.employments_unchanged) == (1, 1)
    person = Employee.objects.get(personnel_number="7")
    assert (person.email, person.department, person.manager) == (
        "piet@example.nl",
        sales,
        manager_user,
    )


def test_department_names_match_stored_ones_case_insensitively(employer, sales):
    report = run(employer, csv("7;Piet;Jansen;VERKOOP;;01-01-2020;;40;40"))
    assert report.departments_created == []
    assert Employee.objects.get(personnel_number="7").department == sales


def test_parent_column_and_one_part_path_share_a_new_department(employer):
    header = HEADER + ";afdeling_bovenliggend"
    report = run(
        employer,
        csv(
            "1;A;B;Inpak;;01-01-2020;;40;40;",
            "2;A;B;Inpak;;01-01-2020;;40;40;Productie",
            header=header,
        ),
    )
    assert report.ok, report.rejected
    assert Department.objects.get(employer=employer, name="Inpak").parent.name == "Productie"


def test_dry_run_writes_nothing_but_reports_and_audits(employer, manager_user, hr_user):
    before = snapshot(employer)
    report = run(employer, SAMPLE.read_bytes(), dry_run=True, actor=hr_user)
    assert report.ok and not report.written
    assert (report.employees_created, report.employments_created) == (2, 3)
    assert snapshot(employer) == before
    event = AuditEvent.objects.get(event=Event.EMPLOYEES_IMPORTED)
    assert event.actor == hr_user and event.tenant == employer.tenant
    assert event.data["dry_run"] is True
    assert event.data["employer"] == employer.pk
    assert event.data["employees_created"] == 2


def test_one_bad_row_writes_nothing_and_every_bad_row_is_listed(
    employer, manager_user, other_tenant, hr_user
):
    UserFactory(tenant=other_tenant, username="olaf.other", roles=["manager"])
    UserFactory(tenant=employer.tenant, username="gone.manager", roles=["manager"], is_active=False)
    before = snapshot(employer)
    report = run(
        employer,
        csv(
            "1;Good;Row;Verkoop;mark.manager;01-01-2020;;40;40",
            "2;Bad;Hours;Verkoop;;01-01-2020;;0;40",
            "3;Unknown;Manager;Verkoop;nobody;01-01-2020;;40;40",
            "4;Foreign;Manager;Verkoop;olaf.other;01-01-2020;;40;40",
            "5;Not;Manager;Verkoop;hanna.hr;01-01-2020;;40;40",
            "6;Inactive;Manager;Verkoop;gone.manager;01-01-2020;;40;40",
            "7;Good;Too;Verkoop;MARK.MANAGER;01-01-2020;;40;40",
        ),
    )
    assert not report.ok and not report.written
    assert [(r.line, r.personnel_number) for r in report.rejected] == [
        (3, "2"),
        (4, "3"),
        (5, "4"),
        (6, "5"),
        (7, "6"),
    ]
    reasons = {r.line: " ".join(r.reasons) for r in report.rejected}
    assert reasons[4] == "There is no user with login name “nobody”."
    assert reasons[5] == "There is no user with login name “olaf.other”."
    assert reasons[6] == "User “hanna.hr” is not an active manager."
    assert reasons[7] == "User “gone.manager” is not an active manager."
    assert snapshot(employer) == before
    event = AuditEvent.objects.get(event=Event.EMPLOYEES_IMPORTED)
    assert event.outcome == "failure" and event.data["rejected"] == 5


def test_overlapping_rows_of_one_employee_are_rejected(employer):
    report = run(
        employer,
        csv(
            "1;A;B;;;01-01-2020;30-06-2021;40;40",
            "1;A;B;;;01-06-2021;;40;40",
            "2;C;D;;;01-01-2020;31-12-2020;40;40",
            "2;C;D;;;01-01-2021;;40;40",
        ),
    )
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (3, ["This employment overlaps the one on row 2."])
    ]
    assert not Employee.objects.exists()


def test_new_employment_must_not_overlap_a_stored_open_one(employer, sales):
    EmployeeFactory(employer=employer, personnel_number="1", employed__start=date(2020, 1, 1))
    report = run(employer, csv("1;A;B;;;01-01-2023;;40;40"))
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (2, ["This employment overlaps the stored employment starting on 01-01-2020."])
    ]
    # Ending the stored record in the same file makes room for the new one.
    report = run(
        employer,
        csv("1;A;B;Verkoop;;01-01-2020;31-12-2022;40;40", "1;A;B;Magazijn;;01-01-2023;;32;40"),
    )
    assert report.ok, report.rejected
    assert (report.employments_updated, report.employments_created) == (1, 1)
    person = Employee.objects.get(personnel_number="1")
    assert person.department.name == "Magazijn"
    assert person.employments.count() == 2


def test_overlap_between_stored_records_does_not_block_an_unrelated_row(employer):
    person = EmployeeFactory(
        employer=employer, personnel_number="1", employed__start=date(2020, 1, 1)
    )
    Employment.objects.create(
        employee=person, start_date=date(2021, 1, 1), contract_hours=8, fulltime_hours=40
    )
    report = run(employer, csv("1;A;B;;;01-01-2010;31-12-2010;40;40"))
    assert report.ok, report.rejected
    assert report.employments_created == 1


def test_department_is_not_moved_to_another_parent(employer):
    logistics = DepartmentFactory(employer=employer, name="Logistiek")
    DepartmentFactory(employer=employer, name="Inpak", parent=logistics)
    report = run(employer, csv("1;A;B;Productie/Inpak;;01-01-2020;;40;40"))
    assert [r.reasons for r in report.rejected] == [
        [
            "Department “Inpak” already exists under “Logistiek”; "
            "the import does not move departments."
        ]
    ]
    report = run(employer, csv("1;A;B;Logistiek/Inpak;;01-01-2020;;40;40"))
    assert report.ok and report.departments_created == []


def test_import_only_touches_the_chosen_employer(employer, other_employer, manager_user):
    other = EmployeeFactory(employer=other_employer, personnel_number="1001", first_name="Ander")
    assert run(employer, SAMPLE.read_bytes()).ok
    other.refresh_from_db()
    assert other.first_name == "Ander" and other.employments.count() == 1
    assert Employee.objects.filter(employer=employer, personnel_number="1001").exists()


def test_file_errors_raise_before_anything_happens(employer):
    with pytest.raises(ImportFileError):
        run(employer, b"\xff\xfe\x00garbage")
    assert not AuditEvent.objects.filter(event=Event.EMPLOYEES_IMPORTED).exists()


def test_refresh_employee_follows_the_latest_employment(employer, sales, warehouse, manager_user):
    person = EmployeeFactory(employer=employer, department=sales, manager=manager_user)
    Employment.objects.create(
        employee=person,
        start_date=date(2019, 1, 1),
        end_date=date(2019, 12, 31),
        contract_hours=40,
        fulltime_hours=40,
        department=warehouse,
    )
    assert refresh_employee(person).department == sales
    Employment.objects.create(
        employee=person,
        start_date=date(2024, 1, 1),
        contract_hours=40,
        fulltime_hours=40,
        department=warehouse,
    )
    Employment.objects.filter(employee=person, start_date=date(2020, 1, 1)).update(
        end_date=date(2023, 12, 31)
    )
    refresh_employee(person)
    assert (person.department, person.manager) == (warehouse, None)


def test_ten_thousand_rows(employer, manager_user):
    lines = []
    for n in range(10_000):
        department = f"Afdeling {n % 20}/Team {n % 100}"
        lines.append(
            f"{n:06d};Voornaam{n};Achternaam {n};{department};mark.manager;"
            f"01-01-2020;;{20 + n % 21},5;40"
        )
    report = run(employer, csv(*lines))
    assert report.ok and report.employees_created == 10_000 and report.employments_created == 10_000
    assert len(report.departments_created) == 120
    assert Employee.objects.filter(employer=employer, manager=manager_user).count() == 10_000
    last = Employee.objects.get(personnel_number="009999")
    assert last.department.name == "Team 99" and last.department.parent.name == "Afdeling 19"
    assert last.employments.get().contract_hours == Decimal("23.50")
    report = run(employer, csv(*lines))
    assert (report.employees_unchanged, report.employments_unchanged) == (10_000, 10_000)


# --- management command ----------------------------------------------------------------


def test_command_imports_and_prints_the_report(employer, manager_user):
    out = StringIO()
    call_command(
        "import_employees",
        "--tenant",
        "demo",
        "--employer",
        employer.kvk_number,
        str(SAMPLE),
        "--dry-run",
        stdout=out,
    )
    assert "Employees: 2 created, 0 changed, 0 unchanged" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert not Employee.objects.exists()
    call_command(
        "import_employees",
        "--tenant",
        "demo",
        "--employer",
        employer.kvk_number,
        str(SAMPLE),
        stdout=out,
    )
    assert Employee.objects.filter(employer=employer).count() == 2


def test_command_reports_rejected_rows_and_fails(employer, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv("1;A;B;;nobody;01-01-2020;;40;40"))
    out = StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command(
            "import_employees",
            "--tenant",
            "demo",
            "--employer",
            employer.kvk_number,
            str(path),
            stdout=out,
        )
    assert "Row 2 (1): There is no user with login name “nobody”." in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nope", "--employer", "x", "f.csv"], "No tenant"),
        (["--tenant", "demo", "--employer", "99999999", "f.csv"], "No employer"),
        (["--tenant", "demo", "--employer", "KVK", "/nonexistent/f.csv"], "Cannot read"),
    ],
)
def test_command_argument_errors(employer, args, message):
    args = [employer.kvk_number if a == "KVK" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("import_employees", *args)
