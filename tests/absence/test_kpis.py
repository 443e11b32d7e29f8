"""The figures of SPEC.md §9 against hand-computed cases (docs/figures.md).

Every case is built through the real actions (report_sick, report_change, withdraw_report)
and computed by the database aggregation; the expected numbers are worked out by hand in the
comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from tests.factories import DepartmentFactory, EmployeeFactory, grant_scope
from verzuim.absence import kpis
from verzuim.absence.actions import report_change, report_sick, withdraw_report
from verzuim.absence.kpis import Period, Selection, preset_period
from verzuim.absence.kpis.periods import trend_months
from verzuim.absence.models import Employment

pytestmark = pytest.mark.django_db

#: A 91-day quarter.
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2025-08-01 12:00 +02:00", tick=False):
        yield


def sick(employee, actor, first, *changes, incapacity=100):
    """Report ``employee`` sick from ``first``; ``changes`` are (date, incapacity %) pairs,
    0 meaning full recovery on that date (the first day fit)."""
    report = report_sick(
        employee=employee, actor=actor, first_sick_day=first, incapacity=incapacity
    )
    for on, pct in changes:
        report_change(report=report, actor=actor, on=on, incapacity=pct)
    return report


def figures(user, period=Q2, **selection):
    return kpis.figures_for(Selection(user, **selection), period)


def two_records(employer, first, second, name="Wissel"):
    """An employee with two employment records: (start, end, hours, department) each."""
    person = EmployeeFactory(
        employer=employer, department=second[3], last_name=name, employed=False
    )
    for start, end, hours, department in (first, second):
        Employment.objects.create(
            employee=person,
            start_date=start,
            end_date=end,
            contract_hours=Decimal(hours),
            fulltime_hours=Decimal("40"),
            department=department,
        )
    return person


# --- verzuimpercentage ------------------------------------------------------------------


def test_worked_example_of_the_spec_gives_4_4_percent(scoped, employer, sales, hr_user):
    full = [EmployeeFactory(employer=employer, department=sales) for _ in range(8)]
    part = [
        EmployeeFactory(employer=employer, department=sales, employed__hours="30") for _ in range(2)
    ]
    # 20 days at 100 % for a full-timer: 20.
    sick(full[0], hr_user, date(2025, 4, 10), (date(2025, 4, 30), 0))
    # 10 days at 100 % for a 75 % part-timer: 7.5.
    sick(part[0], hr_user, date(2025, 5, 1), (date(2025, 5, 11), 0))
    # Sick since 25 March (before the quarter): 1–8 April at 100 % = 8, then 9–13 April at
    # 45 % = 2.25, fit on 14 April: 10.25 inside the quarter.
    sick(full[1], hr_user, date(2025, 3, 25), (date(2025, 4, 9), 45), (date(2025, 4, 14), 0))

    result = figures(hr_user)

    assert result.available == pytest.approx(864.5)  # 8 × 91 + 2 × 0.75 × 91
    assert result.sick == pytest.approx(37.75)  # 20 + 7.5 + 10.25
    assert round(result.percentage, 1) == 4.4
    assert result.percentage == pytest.approx(37.75 / 864.5 * 100)


def test_joiners_and_leavers_count_only_their_employed_days(scoped, employer, sales, hr_user):
    joiner = EmployeeFactory(employer=employer, department=sales, employed__start=date(2025, 5, 1))
    leaver = EmployeeFactory(employer=employer, department=sales, employed__end=date(2025, 5, 31))
    sick(joiner, hr_user, date(2025, 6, 1), (date(2025, 6, 11), 0))  # 10 days
    sick(leaver, hr_user, date(2025, 5, 25))  # open: only 25–31 May while employed, 7 days

    result = figures(hr_user)

    assert result.available == pytest.approx(61 + 61)  # May+June; April+May
    assert result.employed_days == 122
    assert result.sick == pytest.approx(17)
    assert result.percentage == pytest.approx(17 / 122 * 100)
    assert result.whole_period == 0 and result.zero_share is None


def test_part_time_factor_and_department_follow_the_employment_record(
    scoped, employer, sales, warehouse, hr_user
):
    person = two_records(
        employer,
        (date(2025, 1, 1), date(2025, 5, 15), "20", sales),
        (date(2025, 5, 16), None, "40", warehouse),
    )
    # Sick 10–20 May, fit 21 May: 10–15 May in sales at 50 % (6 × 0.5 = 3), 16–20 May in
    # the warehouse full-time (5).
    sick(person, hr_user, date(2025, 5, 10), (date(2025, 5, 21), 0))

    result = kpis.dashboard(Selection(hr_user), Q2)
    rows = {r.department: r for r in result.rows}

    assert rows["Verkoop"].available == pytest.approx(45 * 0.5)  # 1 April – 15 May
    assert rows["Verkoop"].sick == pytest.approx(3)
    assert rows["Magazijn"].available == pytest.approx(46)  # 16 May – 30 June
    assert rows["Magazijn"].sick == pytest.approx(5)
    assert result.total.sick == pytest.approx(8)
    assert result.total.percentage == pytest.approx(8 / 68.5 * 100)
    # The report belongs to the record of its first sick day; the person was employed the
    # whole quarter across both records (counted with the record of the last day).
    assert (rows["Verkoop"].new_reports, rows["Verkoop"].ended_reports) == (1, 1)
    assert rows["Magazijn"].new_reports == 0
    assert (rows["Magazijn"].whole_period, rows["Magazijn"].zero_absence) == (1, 0)
    # One person, counted once per day for the headcount.
    assert result.total.average_headcount == pytest.approx(1)


def test_partial_incapacity_changes_inside_the_period(scoped, employee, hr_user):
    # 1–10 June 100 % (10), 11–20 June 50 % (5), from 21 June 25 %, still open.
    sick(employee, hr_user, date(2025, 6, 1), (date(2025, 6, 11), 50), (date(2025, 6, 21), 25))

    quarter = figures(hr_user)
    july = figures(hr_user, Period(date(2025, 7, 1), date(2025, 7, 31)))

    assert quarter.sick == pytest.approx(10 + 5 + 2.5)
    assert quarter.percentage == pytest.approx(17.5 / 91 * 100)
    assert quarter.new_reports == 1  # going from full to partial is not a new report
    assert july.sick == pytest.approx(31 * 0.25)
    assert july.new_reports == 0


def test_a_case_spanning_both_period_edges_is_split(scoped, employee, hr_user):
    # Sick 20 March – 9 July (fit 10 July): the whole quarter, and 9 days of July.
    sick(employee, hr_user, date(2025, 3, 20), (date(2025, 7, 10), 0))

    quarter = figures(hr_user)
    q3 = figures(hr_user, Period(date(2025, 7, 1), date(2025, 9, 30)))

    assert quarter.sick == pytest.approx(91)
    assert quarter.percentage == pytest.approx(100)
    assert (quarter.new_reports, quarter.ended_reports) == (0, 0)
    assert q3.sick == pytest.approx(9)
    assert q3.ended_reports == 1
    assert q3.average_duration == pytest.approx(112)  # 20 March to 10 July
    assert q3.classes["long"] == 1


def test_an_open_report_counts_to_the_period_end_but_has_not_ended(scoped, employee, hr_user):
    sick(employee, hr_user, date(2025, 6, 21))

    result = figures(hr_user)

    assert result.sick == pytest.approx(10)
    assert result.new_reports == 1
    assert result.ended_reports == 0 and result.average_duration is None


def test_withdrawn_reports_are_ignored_everywhere(scoped, employee, hr_user):
    report = sick(employee, hr_user, date(2025, 4, 1), (date(2025, 4, 11), 0))
    withdraw_report(report=report, actor=hr_user, reason="Entered for the wrong person")

    result = figures(hr_user)

    assert result.sick == 0 and result.percentage == 0
    assert (result.new_reports, result.ended_reports) == (0, 0)
    assert (result.whole_period, result.zero_absence) == (1, 1)


# --- scope ------------------------------------------------------------------------------


def test_another_employers_data_is_never_counted(
    scoped, employee, other_employer, hr_user, foreign_user
):
    outsider = EmployeeFactory(employer=other_employer)
    sick(outsider, hr_user, date(2025, 4, 1))
    sick(employee, hr_user, date(2025, 6, 1), (date(2025, 6, 11), 0))

    mine = figures(hr_user)
    asked_for_other = figures(hr_user, employer_id=other_employer.pk)

    assert mine.available == pytest.approx(91)  # only `employee`
    assert mine.sick == pytest.approx(10)
    assert mine.new_reports == 1
    assert asked_for_other.available == 0 and asked_for_other.percentage is None
    assert asked_for_other.new_reports == 0
    assert figures(foreign_user).employed_days == 0


def test_employer_filter_narrows_a_user_with_two_employers(
    scoped, employee, other_employer, hr_user
):
    grant_scope(hr_user, other_employer)
    outsider = EmployeeFactory(employer=other_employer)
    sick(outsider, hr_user, date(2025, 4, 1), (date(2025, 4, 11), 0))

    assert figures(hr_user).available == pytest.approx(182)
    only_other = figures(hr_user, employer_id=other_employer.pk)
    assert only_other.available == pytest.approx(91)
    assert only_other.sick == pytest.approx(10)
    assert figures(hr_user, employer_id=employee.employer_id).sick == 0


def test_department_filter(scoped, employee, warehouse_employee, sales, hr_user):
    sick(employee, hr_user, date(2025, 5, 1), (date(2025, 5, 11), 0))
    sick(warehouse_employee, hr_user, date(2025, 5, 1), (date(2025, 5, 21), 0))

    result = figures(hr_user, department_ids=frozenset({sales.pk}))

    assert result.available == pytest.approx(91)
    assert result.sick == pytest.approx(10)
    assert (result.new_reports, result.ended_reports, result.ended_days) == (1, 1, 10)


def test_manager_sees_only_their_team(scoped, employee, warehouse_employee, manager_user, hr_user):
    sick(employee, hr_user, date(2025, 5, 1), (date(2025, 5, 11), 0))
    sick(warehouse_employee, hr_user, date(2025, 4, 1))

    result = figures(manager_user)

    assert result.available == pytest.approx(91)
    assert result.sick == pytest.approx(10)
    assert result.new_reports == 1


def test_department_scoped_user_sees_that_department(
    employer, employee, warehouse_employee, warehouse, case_manager_user, hr_user
):
    grant_scope(case_manager_user, employer, department=warehouse)
    sick(employee, hr_user, date(2025, 5, 1), (date(2025, 5, 11), 0))

    result = figures(case_manager_user)

    assert result.available == pytest.approx(91)
    assert result.sick == 0


def test_users_without_sick_leave_roles_get_nothing(scoped, employee, support_user):
    assert figures(support_user).employed_days == 0


# --- meldingsfrequentie, verzuimduur, nulverzuim, duration classes ------------------------


def test_report_frequency(scoped, employer, sales, hr_user):
    a, b, c, d = (EmployeeFactory(employer=employer, department=sales) for _ in range(4))
    sick(a, hr_user, date(2025, 4, 5), (date(2025, 4, 10), 0))  # new
    sick(a, hr_user, date(2025, 5, 1))  # a relapse is a new report
    sick(b, hr_user, date(2025, 3, 1), (date(2025, 4, 3), 0))  # started before: not new
    sick(c, hr_user, date(2025, 6, 1), (date(2025, 6, 5), 50))  # partial: still one
    withdrawn = sick(d, hr_user, date(2025, 6, 2))
    withdraw_report(report=withdrawn, actor=hr_user, reason="Error")

    result = figures(hr_user)

    assert result.new_reports == 3
    assert result.average_headcount == pytest.approx(4)
    assert result.frequency == pytest.approx(3 / 4 * 365 / 91)


def test_report_frequency_uses_headcount_not_fte(scoped, employer, sales, hr_user):
    # Two part-timers, one only for May and June: headcount (91 + 61) / 91, not FTE.
    first = EmployeeFactory(employer=employer, department=sales, employed__hours="20")
    EmployeeFactory(
        employer=employer,
        department=sales,
        employed__hours="10",
        employed__start=date(2025, 5, 1),
    )
    sick(first, hr_user, date(2025, 4, 7), (date(2025, 4, 9), 0))

    result = figures(hr_user)

    assert result.average_headcount == pytest.approx(152 / 91)
    assert result.frequency == pytest.approx(1 / (152 / 91) * 365 / 91)


def test_average_duration_and_duration_classes(scoped, employer, sales, hr_user):
    def person():
        return EmployeeFactory(employer=employer, department=sales)

    lengths = {
        14: date(2025, 6, 30),
        15: date(2025, 6, 15),
        91: date(2025, 6, 15),
        92: date(2025, 6, 15),
        366: date(2025, 6, 15),
        731: date(2025, 4, 1),
    }
    for days, fit in lengths.items():
        sick(person(), hr_user, date.fromordinal(fit.toordinal() - days), (fit, 0))
    sick(person(), hr_user, date(2025, 6, 20), (date(2025, 7, 1), 0))  # ends after the period
    sick(person(), hr_user, date(2025, 3, 1), (date(2025, 3, 31), 0))  # ends before it
    sick(person(), hr_user, date(2025, 5, 1))  # still open

    result = figures(hr_user)

    assert result.ended_reports == 6
    assert result.average_duration == pytest.approx((14 + 15 + 91 + 92 + 366 + 731) / 6)
    assert result.classes == {"short": 1, "medium": 2, "long": 1, "extra_long": 1, "beyond": 1}
    assert result.class_share("medium") == pytest.approx(2 / 6 * 100)


def test_zero_absence(scoped, employer, sales, warehouse, hr_user):
    def person():
        return EmployeeFactory(employer=employer, department=sales)

    person()  # never sick: zero
    sick(person(), hr_user, date(2025, 5, 1), (date(2025, 5, 3), 0))  # sick in the period
    sick(person(), hr_user, date(2025, 3, 1), (date(2025, 3, 20), 0))  # only before: zero
    sick(person(), hr_user, date(2025, 3, 25), (date(2025, 4, 2), 0))  # across the start
    withdrawn = sick(person(), hr_user, date(2025, 5, 5))
    withdraw_report(report=withdrawn, actor=hr_user, reason="Error")  # zero
    EmployeeFactory(employer=employer, department=sales, employed__start=date(2025, 5, 1))
    two_records(  # moved department mid-period, never sick: employed all along, zero
        employer,
        (date(2024, 1, 1), date(2025, 5, 15), "40", sales),
        (date(2025, 5, 16), None, "40", warehouse),
    )

    result = figures(hr_user)

    assert result.whole_period == 6  # the joiner was not employed the whole period
    assert result.zero_absence == 4
    assert result.zero_share == pytest.approx(4 / 6 * 100)


def test_no_one_employed_gives_no_figures(scoped, hr_user):
    result = figures(hr_user)
    assert result.percentage is None
    assert result.frequency is None
    assert result.average_duration is None
    assert result.zero_share is None
    assert result.class_share("short") is None


# --- the dashboard bundle -----------------------------------------------------------------


def test_dashboard_rows_add_up_to_the_total_and_the_trend_is_monthly(
    scoped, employee, warehouse_employee, hr_user
):
    sick(employee, hr_user, date(2025, 6, 21))  # open: 10 days of June, all of July
    sick(warehouse_employee, hr_user, date(2024, 9, 1), (date(2024, 9, 16), 0))

    result = kpis.dashboard(Selection(hr_user), Period(date(2024, 8, 1), date(2025, 7, 31)))

    assert len(result.rows) == 2
    assert sum(r.sick for r in result.rows) == pytest.approx(result.total.sick)
    assert [m.period.start for m in result.trend] == [
        date(2024, 8, 1),
        date(2024, 9, 1),
        date(2024, 10, 1),
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
        date(2025, 3, 1),
        date(2025, 4, 1),
        date(2025, 5, 1),
        date(2025, 6, 1),
        date(2025, 7, 1),
    ]
    by_month = {m.period.start: m.percentage for m in result.trend}
    assert by_month[date(2024, 9, 1)] == pytest.approx(15 / 60 * 100)
    assert by_month[date(2025, 6, 1)] == pytest.approx(10 / 60 * 100)
    assert by_month[date(2025, 7, 1)] == pytest.approx(31 / 62 * 100)
    assert by_month[date(2025, 1, 1)] == 0


def test_monthly_figures_split_the_period(scoped, employee, hr_user):
    sick(employee, hr_user, date(2025, 4, 20), (date(2025, 5, 6), 0))

    months = kpis.monthly(Selection(hr_user), Q2)

    assert [m.sick for m in months] == pytest.approx([11, 5, 0])
    assert [m.new_reports for m in months] == [1, 0, 0]
    assert [m.ended_reports for m in months] == [0, 1, 0]
    assert [m.available for m in months] == pytest.approx([30, 31, 30])
    assert [(m.whole_period, m.zero_absence) for m in months] == [(1, 0), (1, 0), (1, 1)]


def test_sub_departments_are_separate_rows(scoped, employer, sales, hr_user):
    shop = DepartmentFactory(employer=employer, name="Winkel", parent=sales)
    EmployeeFactory(employer=employer, department=shop)
    EmployeeFactory(employer=employer, department=sales)

    result = kpis.dashboard(Selection(hr_user), Q2)

    assert sorted(r.department for r in result.rows) == ["Verkoop", "Winkel"]


# --- periods (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("this_month", date(2025, 8, 1), date(2025, 8, 14)),
        ("last_quarter", date(2025, 4, 1), date(2025, 6, 30)),
        ("this_year", date(2025, 1, 1), date(2025, 8, 14)),
        ("last_12_months", date(2024, 9, 1), date(2025, 8, 14)),
    ],
)
def test_presets(key, start, end):
    assert preset_period(key, date(2025, 8, 14)) == Period(start, end)


def test_last_quarter_in_january_is_the_previous_years_fourth():
    assert preset_period("last_quarter", date(2025, 1, 5)) == Period(
        date(2024, 10, 1), date(2024, 12, 31)
    )


def test_unknown_preset_and_reversed_period_are_refused():
    with pytest.raises(ValueError):
        preset_period("forever", date(2025, 1, 1))
    with pytest.raises(ValueError):
        Period(date(2025, 2, 1), date(2025, 1, 31))


def test_months_are_cut_at_the_period_edges():
    months = Period(date(2024, 12, 15), date(2025, 2, 10)).months()
    assert months == [
        Period(date(2024, 12, 15), date(2024, 12, 31)),
        Period(date(2025, 1, 1), date(2025, 1, 31)),
        Period(date(2025, 2, 1), date(2025, 2, 10)),
    ]
    assert Q2.days == 91
    assert trend_months(date(2025, 3, 10), 3)[0] == Period(date(2025, 1, 1), date(2025, 1, 31))
