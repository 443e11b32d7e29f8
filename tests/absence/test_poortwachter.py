"""Deadline rules of the Wet verbetering poortwachter (verzuim.absence.poortwachter).

Pure unit tests: no database, no Django. Expected dates are worked out by hand.

Reference case: first sick day Monday 5 January 2026, so aggregated sick day n falls on
5 Jan 2026 + (n - 1) days. Every sick week then runs Monday (day 7w-6) to Sunday (day 7w),
which makes the hand arithmetic easy to check against a calendar:

    day   7 = end of week 1      Sun 11 Jan 2026   (5 + 6)
    day  42 = end of week 6      Sun 15 Feb 2026   (Jan 5..31 = 27 days, +15 in Feb)
    day  56 = end of week 8      Sun  1 Mar 2026   (27 Jan + 28 Feb + 1)
    day  98 = 56 + 6 weeks       Sun 12 Apr 2026
    day 295 = first day after 42 Mon 26 Oct 2026   (week 43, day 1)
    day 316 = start of week 46   Mon 16 Nov 2026
    day 364 = end of week 52     Sun  3 Jan 2027   (exactly 52 weeks after 5 Jan 2026 - 1)
    day 406 = 364 + 6 weeks      Sun 14 Feb 2027
    day 603 = start of week 87   Mon 30 Aug 2027
    day 637 = end of week 91     Sun  3 Oct 2027
    day 631 = start of week 91   Mon 27 Sep 2027
    day 651 = end of week 93     Sun 17 Oct 2027
    day 728 = end of week 104    Sun  2 Jan 2028
"""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from verzuim.absence.poortwachter import (
    DEFAULT_PROTOCOL,
    PROTOCOL_VERSION,
    SAMENTELLEN_GAP_DAYS,
    CaseTimeline,
    InvalidHistory,
    InvalidProtocol,
    ProtocolStep,
    SickPeriod,
    TaskDue,
    TaskStatus,
    compute_tasks,
    date_of_sick_day,
    date_of_sick_week,
    group_into_cases,
    period_from_mutations,
    protocol_from_dicts,
    protocol_to_dicts,
    sick_day_number,
)

START = date(2026, 1, 5)  # a Monday
DUE = TaskStatus.DUE
OVERDUE = TaskStatus.OVERDUE
CLOSED = TaskStatus.NOT_DUE_CASE_CLOSED


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def one_case(*periods: SickPeriod) -> CaseTimeline:
    cases = group_into_cases(periods)
    assert len(cases) == 1, cases
    return cases[0]


def by_key(tasks: list[TaskDue]) -> dict[str, TaskDue]:
    return {t.key: t for t in tasks}


OPEN_CASE = one_case(SickPeriod(START))

# (task key, due_date, window_end) for the open reference case; see the module docstring.
REFERENCE_SCHEDULE = [
    ("report_health_service", "2026-01-11", None),  # day 7
    ("problem_analysis", "2026-02-15", None),  # day 42
    ("action_plan", "2026-03-01", None),  # day 56
    ("evaluation:1", "2026-04-12", None),  # day 98 = 56 + 42
    ("evaluation:2", "2026-05-24", None),  # day 140
    ("evaluation:3", "2026-07-05", None),  # day 182
    ("evaluation:4", "2026-08-16", None),  # day 224
    ("evaluation:5", "2026-09-27", None),  # day 266
    ("report_uwv", "2026-10-26", None),  # day 295, first day after week 42
    ("evaluation:6", "2026-11-08", None),  # day 308 (350 would be past day 316: stop)
    ("first_year_evaluation", "2026-11-16", "2027-01-03"),  # days 316–364, weeks 46–52
    ("second_track_decision", "2027-02-14", None),  # day 406 = 364 + 42
    ("evaluation_year_two:1", "2027-02-14", None),  # day 406
    ("evaluation_year_two:2", "2027-03-28", None),  # day 448
    ("evaluation_year_two:3", "2027-05-09", None),  # day 490
    ("evaluation_year_two:4", "2027-06-20", None),  # day 532
    ("evaluation_year_two:5", "2027-08-01", None),  # day 574 (616 ≥ 603: stop)
    ("current_assessment", "2027-08-30", "2027-10-03"),  # days 603–637, weeks 87–91
    ("final_evaluation", "2027-08-30", "2027-10-03"),  # days 603–637, weeks 87–91
    ("wia_application", "2027-09-27", "2027-10-17"),  # days 631–651, weeks 91–93
    ("end_of_wage_payment", "2028-01-02", None),  # day 728, end of week 104
]


# --- Sick days and weeks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (1, "2026-01-05"),
        (7, "2026-01-11"),
        (8, "2026-01-12"),
        (42, "2026-02-15"),
        (56, "2026-03-01"),
        (295, "2026-10-26"),
        (365, "2027-01-04"),  # one (non-leap) year after the first sick day
        (728, "2028-01-02"),
    ],
)
def test_date_of_sick_day_in_open_single_period(day, expected):
    assert date_of_sick_day(OPEN_CASE, day) == d(expected)


@pytest.mark.parametrize(
    ("week", "day_in_week", "expected"),
    [
        (1, 1, "2026-01-05"),
        (1, 7, "2026-01-11"),
        (2, 1, "2026-01-12"),
        (6, 7, "2026-02-15"),
        (8, 7, "2026-03-01"),
        (43, 1, "2026-10-26"),  # first day after week 42 = aggregated day 42*7+1 = 295
        (46, 1, "2026-11-16"),
        (52, 7, "2027-01-03"),
        (87, 1, "2027-08-30"),
        (91, 7, "2027-10-03"),
        (93, 7, "2027-10-17"),
        (104, 7, "2028-01-02"),
    ],
)
def test_date_of_sick_week(week, day_in_week, expected):
    assert date_of_sick_week(OPEN_CASE, week, day_in_week) == d(expected)


@pytest.mark.parametrize(("week", "day_in_week"), [(0, 1), (1, 0), (1, 8), (-3, 1)])
def test_date_of_sick_week_rejects_out_of_range(week, day_in_week):
    with pytest.raises(ValueError):
        date_of_sick_week(OPEN_CASE, week, day_in_week)


def test_date_of_sick_day_rejects_day_zero():
    with pytest.raises(ValueError):
        date_of_sick_day(OPEN_CASE, 0)


# Two periods: 5–14 Jan (10 sick days, recovered 15 Jan), fit 15–24 Jan (10 fit days),
# sick again from 25 Jan (open).
TWO_PERIODS = one_case(SickPeriod(START, d("2026-01-15")), SickPeriod(d("2026-01-25")))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2026-01-04", 0),  # before the case
        ("2026-01-05", 1),
        ("2026-01-14", 10),  # last sick day of period 1
        ("2026-01-15", 10),  # first fit day: fit days do not count
        ("2026-01-24", 10),  # last fit day
        ("2026-01-25", 11),  # relapse: day 11
        ("2026-02-25", 42),  # 25 Jan + 31 days
    ],
)
def test_sick_day_number_skips_fit_days(on, expected):
    assert sick_day_number(TWO_PERIODS, d(on)) == expected


def test_sick_day_number_after_closed_case_is_its_total():
    case = one_case(SickPeriod(START, d("2026-01-15")))
    assert case.total_sick_days == 10
    assert sick_day_number(case, d("2026-06-01")) == 10


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (1, "2026-01-05"),
        (10, "2026-01-14"),
        (11, "2026-01-25"),  # jumps over the 10 fit days
        (42, "2026-02-25"),  # 15 Feb + 10 fit days
        (56, "2026-03-11"),  # 1 Mar + 10
        (295, "2026-11-05"),  # 26 Oct + 10
    ],
)
def test_date_of_sick_day_shifted_by_fit_days(day, expected):
    assert date_of_sick_day(TWO_PERIODS, day) == d(expected)


def test_date_of_sick_day_round_trips_with_sick_day_number():
    # Seeded random histories (no hypothesis): day n → date → day n, for every n reached.
    rng = random.Random(629)
    for _ in range(200):
        periods, start = [], START + timedelta(days=rng.randrange(400))
        for index in range(rng.randrange(1, 5)):
            length = rng.randrange(1, 60)
            is_last = index == 3 or rng.random() < 0.3
            recovery = None if is_last and rng.random() < 0.5 else start + timedelta(length)
            periods.append(SickPeriod(start, recovery))
            if recovery is None or is_last:
                break
            start = recovery + timedelta(days=rng.randrange(0, 27))
        case = one_case(*periods)
        top = case.total_sick_days or 800
        for n in range(1, top + 1):
            on = date_of_sick_day(case, n)
            assert sick_day_number(case, on) == n
        if not case.is_open:
            assert date_of_sick_day(case, top + 1) is None


# --- Samentellen (art. 7:629 lid 10 BW) ---------------------------------------------------

# Period 1: 5 Jan – 1 Feb 2026 (28 sick days), first day fit Mon 2 Feb 2026.
FIRST = SickPeriod(START, d("2026-02-02"))


@pytest.mark.parametrize(
    ("gap_days", "relapse", "cases"),
    [
        (0, "2026-02-02", 1),  # sick again on the recovery date: nothing in between
        (1, "2026-02-03", 1),
        (26, "2026-02-28", 1),
        (27, "2026-03-01", 1),  # 27 fit days (2 Feb – 28 Feb): less than 4 weeks → same case
        (28, "2026-03-02", 2),  # 28 fit days (2 Feb – 1 Mar): 4 weeks → new case
        (29, "2026-03-03", 2),
        (90, "2026-05-03", 2),
    ],
)
def test_samentellen_boundary(gap_days, relapse, cases):
    second = SickPeriod(d(relapse))
    assert (second.first_sick_day - FIRST.recovery_date).days == gap_days
    grouped = group_into_cases([FIRST, second])
    assert len(grouped) == cases
    assert SAMENTELLEN_GAP_DAYS == 28


def test_samentellen_27_days_shifts_deadlines_by_27():
    # Relapse Sun 1 Mar 2026 after 27 fit days. Days 1–28 are 5 Jan – 1 Feb; day 29 = 1 Mar.
    case = one_case(FIRST, SickPeriod(d("2026-03-01")))
    assert case.fit_days_between == 27
    tasks = by_key(compute_tasks(case))
    assert tasks["report_health_service"].due_date == d("2026-01-11")  # day 7, before the gap
    assert tasks["problem_analysis"].due_date == d("2026-03-14")  # 15 Feb + 27 = 1 Mar + 13
    assert tasks["action_plan"].due_date == d("2026-03-28")  # 1 Mar + 27
    assert tasks["report_uwv"].due_date == d("2026-11-22")  # 26 Oct + 27


@pytest.mark.parametrize(("gap_days", "relapse"), [(28, "2026-03-02"), (29, "2026-03-03")])
def test_samentellen_28_or_more_days_starts_afresh(gap_days, relapse):
    old, new = group_into_cases([FIRST, SickPeriod(d(relapse))])
    assert old.periods == (FIRST,) and not old.is_open
    assert new.first_sick_day == d(relapse)
    tasks = by_key(compute_tasks(new))
    # New case: week 6 ends on first sick day + 41 days.
    assert tasks["problem_analysis"].due_date == d(relapse) + timedelta(days=41)
    assert (
        tasks["problem_analysis"].due_date == {28: d("2026-04-12"), 29: d("2026-04-13")}[gap_days]
    )


@pytest.mark.parametrize("gap_days", range(0, 60))
def test_every_deadline_shifts_by_exactly_the_fit_days(gap_days):
    relapse = FIRST.recovery_date + timedelta(days=gap_days)
    cases = group_into_cases([FIRST, SickPeriod(relapse)])
    if gap_days >= 28:
        assert len(cases) == 2
        return
    (case,) = cases
    for single, shifted in zip(compute_tasks(OPEN_CASE), compute_tasks(case), strict=True):
        assert single.key == shifted.key
        if single.sick_day <= 28:  # reached before the recovery: unchanged
            assert shifted.due_date == single.due_date
        else:
            assert shifted.due_date == single.due_date + timedelta(days=gap_days)


def test_three_periods_accumulate_gaps():
    # 5–14 Jan (10 days), fit 15–24 Jan (10), 25 Jan–3 Feb (10 days), fit 4–23 Feb (20),
    # open from 24 Feb. Day 42 = 15 Feb + 30 fit days = 17 Mar.
    case = one_case(
        SickPeriod(START, d("2026-01-15")),
        SickPeriod(d("2026-01-25"), d("2026-02-04")),
        SickPeriod(d("2026-02-24")),
    )
    assert case.fit_days_between == 30
    assert date_of_sick_day(case, 42) == d("2026-03-17")
    assert date_of_sick_day(case, 21) == d("2026-02-24")  # first day of period 3


def test_gap_measured_from_previous_period_not_case_start():
    # Each gap < 28 chains the periods, even if the case spans far more than 28 days.
    periods = [
        SickPeriod(START, d("2026-01-10")),
        SickPeriod(d("2026-02-06"), d("2026-02-10")),  # gap 27
        SickPeriod(d("2026-03-09")),  # gap 27
    ]
    (case,) = group_into_cases(periods)
    assert case.fit_days_between == 54


# --- Override: nieuw bedongen arbeid ------------------------------------------------------


def test_override_starts_new_case_even_after_three_fit_days():
    relapse = SickPeriod(d("2026-02-05"), new_work_override=True)  # gap 3
    old, new = group_into_cases([FIRST, relapse])
    assert old.periods == (FIRST,)
    assert new.periods == (relapse,)
    assert by_key(compute_tasks(new))["problem_analysis"].due_date == d("2026-03-18")  # 5 Feb+41


def test_override_without_it_the_same_relapse_is_added():
    (case,) = group_into_cases([FIRST, SickPeriod(d("2026-02-05"))])
    # 15 Feb + 3 fit days
    assert by_key(compute_tasks(case))["problem_analysis"].due_date == d("2026-02-18")


def test_override_on_first_period_is_harmless():
    (case,) = group_into_cases([SickPeriod(START, new_work_override=True)])
    assert compute_tasks(case) == compute_tasks(OPEN_CASE)


def test_override_then_later_relapse_joins_the_new_case():
    p1 = FIRST
    p2 = SickPeriod(d("2026-02-05"), d("2026-02-10"), new_work_override=True)
    p3 = SickPeriod(d("2026-02-20"))  # gap 10 after p2
    cases = group_into_cases([p1, p2, p3])
    assert [c.periods for c in cases] == [(p1,), (p2, p3)]


# --- Relapse after recovery, recomputation -----------------------------------------------

# Report 5 Jan, fully recovered Mon 2 Mar 2026 (56 sick days: 27 in Jan, 28 in Feb, 1 Mar).
RECOVERED = SickPeriod(START, d("2026-03-02"))


def test_recovery_closes_the_case_and_later_steps_are_not_due():
    case = one_case(RECOVERED)
    assert case.total_sick_days == 56
    tasks = by_key(compute_tasks(case, today=d("2026-03-01")))
    assert tasks["action_plan"].due_date == d("2026-03-01")  # day 56 was reached
    assert tasks["action_plan"].status is DUE
    for key in ("evaluation:1", "report_uwv", "first_year_evaluation", "end_of_wage_payment"):
        assert tasks[key].status is CLOSED
        assert tasks[key].due_date is None
        assert tasks[key].window_end is None


def test_relapse_within_28_days_reopens_the_case_and_shifts_deadlines():
    relapse = SickPeriod(d("2026-03-16"))  # 14 fit days: 2–15 Mar
    before = by_key(compute_tasks(one_case(RECOVERED)))
    after = by_key(compute_tasks(one_case(RECOVERED, relapse)))
    assert before["evaluation:1"].due_date is None
    # Day 98 = day 42 of the relapse = 16 Mar + 41 = 26 Apr (= 12 Apr + 14).
    assert after["evaluation:1"].due_date == d("2026-04-26")
    assert after["evaluation:1"].status is DUE
    assert after["report_uwv"].due_date == d("2026-11-09")  # 26 Oct + 14
    assert after["action_plan"].due_date == d("2026-03-01")  # unchanged, before the gap
    assert after["end_of_wage_payment"].due_date == d("2028-01-16")  # 2 Jan 2028 + 14


def test_relapse_after_28_days_is_a_new_case_with_its_own_deadlines():
    relapse = SickPeriod(d("2026-03-30"))  # 28 fit days: 2–29 Mar
    old, new = group_into_cases([RECOVERED, relapse])
    assert by_key(compute_tasks(old))["evaluation:1"].status is CLOSED
    new_tasks = by_key(compute_tasks(new))
    assert new_tasks["report_health_service"].due_date == d("2026-04-05")  # 30 Mar + 6
    assert new_tasks["problem_analysis"].due_date == d("2026-05-10")  # 30 Mar + 41


def test_recovery_of_a_relapse_closes_again():
    case = one_case(RECOVERED, SickPeriod(d("2026-03-16"), d("2026-04-27")))
    # 56 + 42 (16 Mar – 26 Apr) = 98 sick days: evaluation 1 (day 98) reached, nothing later.
    assert case.total_sick_days == 98
    tasks = by_key(compute_tasks(case))
    assert tasks["evaluation:1"].due_date == d("2026-04-26")
    assert tasks["evaluation:2"].status is CLOSED


def test_recompute_is_pure_and_deterministic():
    case = one_case(RECOVERED, SickPeriod(d("2026-03-16")))
    assert compute_tasks(case, today=d("2026-05-01")) == compute_tasks(case, today=d("2026-05-01"))
    assert group_into_cases([RECOVERED]) == group_into_cases([RECOVERED])


# --- Partial recovery ---------------------------------------------------------------------


def test_partial_recovery_keeps_the_report_open_and_deadlines_unchanged():
    period = period_from_mutations(
        START, [(d("2026-02-01"), 50), (d("2026-03-01"), 20), (d("2026-04-01"), 80)]
    )
    assert period == SickPeriod(START)
    assert compute_tasks(one_case(period)) == compute_tasks(OPEN_CASE)


def test_partial_then_full_recovery_closes_on_the_full_recovery_date():
    period = period_from_mutations(START, [(d("2026-02-01"), 50), (d("2026-03-02"), 0)])
    assert period == RECOVERED
    assert compute_tasks(one_case(period)) == compute_tasks(one_case(RECOVERED))


@pytest.mark.parametrize(
    "mutations",
    [
        [(d("2026-02-01"), 0), (d("2026-02-10"), 50)],  # change after full recovery
        [(d("2026-02-01"), 101)],
        [(d("2026-02-01"), -1)],
        [(d("2026-01-01"), 50)],  # before the first sick day
        [(d("2026-02-01"), True)],
        [(START, 0)],  # recovered on the first sick day: zero-length report
    ],
)
def test_invalid_mutations(mutations):
    with pytest.raises(InvalidHistory):
        period_from_mutations(START, mutations)


# --- Status relative to today -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "today", "status"),
    [
        ("problem_analysis", "2026-02-14", DUE),
        ("problem_analysis", "2026-02-15", DUE),  # deadline day itself is still on time
        ("problem_analysis", "2026-02-16", OVERDUE),
        ("report_uwv", "2026-10-26", DUE),
        ("report_uwv", "2026-10-27", OVERDUE),
        ("first_year_evaluation", "2026-11-01", DUE),  # window not open yet
        ("first_year_evaluation", "2026-12-01", DUE),  # inside weeks 46–52
        ("first_year_evaluation", "2027-01-03", DUE),  # last day of week 52
        ("first_year_evaluation", "2027-01-04", OVERDUE),
        ("wia_application", "2027-10-17", DUE),
        ("wia_application", "2027-10-18", OVERDUE),
    ],
)
def test_due_versus_overdue(key, today, status):
    assert by_key(compute_tasks(OPEN_CASE, today=d(today)))[key].status is status


def test_without_today_nothing_is_overdue():
    assert {t.status for t in compute_tasks(OPEN_CASE)} == {DUE}


def test_closed_case_still_reports_overdue_for_reached_deadlines():
    tasks = by_key(compute_tasks(one_case(RECOVERED), today=d("2026-06-01")))
    assert tasks["problem_analysis"].status is OVERDUE
    assert tasks["evaluation:1"].status is CLOSED


def test_closed_case_inside_a_window_keeps_its_opening_date():
    # 320 sick days (5 Jan – 20 Nov 2026): week 46 opened on day 316, week 52 never reached.
    case = one_case(SickPeriod(START, START + timedelta(days=320)))
    task = by_key(compute_tasks(case, today=d("2027-06-01")))["first_year_evaluation"]
    assert task.due_date == d("2026-11-16")
    assert task.window_end is None
    assert task.status is CLOSED


@pytest.mark.parametrize(
    ("recovery", "action_plan_status"),
    [("2026-03-01", CLOSED), ("2026-03-02", DUE)],  # 55 vs 56 sick days
)
def test_closed_case_boundary_on_the_deadline_day(recovery, action_plan_status):
    case = one_case(SickPeriod(START, d(recovery)))
    assert by_key(compute_tasks(case))["action_plan"].status is action_plan_status


# --- Full reference schedule --------------------------------------------------------------


def test_reference_schedule_of_an_open_case():
    tasks = compute_tasks(OPEN_CASE)
    actual = [
        (t.key, t.due_date.isoformat(), t.window_end and t.window_end.isoformat()) for t in tasks
    ]
    assert actual == REFERENCE_SCHEDULE


@pytest.mark.parametrize(
    ("key", "sick_day", "window_end_sick_day", "role"),
    [
        ("report_health_service", 7, None, "employer"),
        ("problem_analysis", 42, None, "company_doctor"),
        ("action_plan", 56, None, "case_manager"),
        ("report_uwv", 42 * 7 + 1, None, "employer"),
        ("first_year_evaluation", 45 * 7 + 1, 52 * 7, "case_manager"),
        ("second_track_decision", 52 * 7 + 42, None, "case_manager"),
        ("current_assessment", 86 * 7 + 1, 91 * 7, "company_doctor"),
        ("final_evaluation", 86 * 7 + 1, 91 * 7, "case_manager"),
        ("wia_application", 90 * 7 + 1, 93 * 7, "employee"),
        ("end_of_wage_payment", 104 * 7, None, "employer"),
    ],
)
def test_reference_sick_day_numbers(key, sick_day, window_end_sick_day, role):
    task = by_key(compute_tasks(OPEN_CASE))[key]
    assert (task.sick_day, task.window_end_sick_day, task.role) == (
        sick_day,
        window_end_sick_day,
        role,
    )


def test_evaluations_at_most_six_weeks_apart():
    days = [56] + [t.sick_day for t in compute_tasks(OPEN_CASE) if t.code == "evaluation"] + [316]
    assert all(0 < b - a <= 42 for a, b in pairwise(days))
    year_two = (
        [364]
        + [t.sick_day for t in compute_tasks(OPEN_CASE) if t.code == "evaluation_year_two"]
        + [603]
    )
    assert all(0 < b - a <= 42 for a, b in pairwise(year_two))


# --- Invalid histories --------------------------------------------------------------------


@pytest.mark.parametrize(
    "periods",
    [
        # overlap: second starts before the first's recovery date
        [SickPeriod(START, d("2026-02-02")), SickPeriod(d("2026-02-01"))],
        # two reports on the same first sick day
        [SickPeriod(START, d("2026-01-10")), SickPeriod(START)],
        # open period that is not the last one
        [SickPeriod(START), SickPeriod(d("2026-06-01"), d("2026-06-10"))],
        # same, given in reverse order (input is sorted first)
        [SickPeriod(d("2026-06-01"), d("2026-06-10")), SickPeriod(START)],
    ],
)
def test_invalid_histories_raise(periods):
    with pytest.raises(InvalidHistory):
        group_into_cases(periods)


@pytest.mark.parametrize("recovery", ["2026-01-05", "2026-01-04"])
def test_recovery_not_after_first_sick_day_raises(recovery):
    with pytest.raises(InvalidHistory):
        SickPeriod(START, d(recovery))


def test_empty_history_has_no_cases_and_a_case_needs_a_period():
    assert group_into_cases([]) == []
    with pytest.raises(InvalidHistory):
        CaseTimeline(())


def test_unsorted_input_is_sorted_by_first_sick_day():
    periods = [SickPeriod(d("2026-02-05")), FIRST]
    assert group_into_cases(periods) == group_into_cases(list(reversed(periods)))
    assert group_into_cases(periods)[0].periods == (FIRST, SickPeriod(d("2026-02-05")))


# --- Protocol as data ---------------------------------------------------------------------


def test_default_protocol_is_versioned_and_round_trips():
    assert PROTOCOL_VERSION == "2026-1"
    rows = protocol_to_dicts(DEFAULT_PROTOCOL)
    assert all(isinstance(r, dict) for r in rows)
    assert protocol_from_dicts(rows) == DEFAULT_PROTOCOL


def test_tenant_edited_protocol_moves_the_task():
    rows = protocol_to_dicts(DEFAULT_PROTOCOL)
    for row in rows:
        if row["code"] == "report_health_service":
            row["week"], row["offset_days"] = 1, -3  # tenant wants it by day 4
    tasks = by_key(compute_tasks(OPEN_CASE, protocol_from_dicts(rows)))
    assert tasks["report_health_service"].due_date == d("2026-01-08")


def test_minimal_protocol_with_defaults():
    (step,) = protocol_from_dicts([{"code": "x", "title": "X", "week": 3, "role": "hr"}])
    assert step == ProtocolStep(code="x", title="X", week=3, role="hr")
    (task,) = compute_tasks(OPEN_CASE, (step,))
    assert (task.due_date, task.window_end, task.occurrence) == (d("2026-01-25"), None, None)


def test_recurring_without_limit_stops_at_week_104():
    step = ProtocolStep(code="call", title="Call", week=52, recurring_every_weeks=26, role="hr")
    days = [t.sick_day for t in compute_tasks(OPEN_CASE, (step,))]
    assert days == [364, 546, 728]  # every 182 days, the last one on day 728 (week 104)


def _base(**extra):
    return {"code": "a", "title": "A", "week": 1, "role": "hr", **extra}


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([{"title": "A", "week": 1, "role": "hr"}], "code is required"),
        ([_base(week=None)], "week is required"),
        ([_base(colour="red")], "unknown field 'colour'"),
        ([_base(week="6")], "week must be a whole number"),
        ([_base(week=True)], "week must be a whole number"),
        ([_base(week=0)], "week must be at least 1"),
        ([_base(role=" ")], "role must be a non-empty text"),
        ([_base(week=5, window_end_week=4)], "window_end_week is before week"),
        ([_base(recurring_every_weeks=0)], "recurring_every_weeks must be at least 1"),
        ([_base(repeat_until="a")], "repeat_until needs recurring_every_weeks"),
        ([_base(), _base()], "duplicate step code 'a'"),
        ([_base(relative_to="nope")], "unknown step 'nope'"),
        (
            [_base(relative_to="b"), _base(code="b", relative_to="a")],
            "relative_to forms a cycle",
        ),
        (
            [_base(recurring_every_weeks=2), _base(code="b", relative_to="a")],
            "cannot be relative to a recurring step",
        ),
        (["not a dict"], "must be a mapping"),
    ],
)
def test_protocol_validation(rows, fragment):
    with pytest.raises(InvalidProtocol) as error:
        protocol_from_dicts(rows)
    assert any(fragment in message for message in error.value.errors), error.value.errors


def test_protocol_validation_collects_all_errors():
    with pytest.raises(InvalidProtocol) as error:
        protocol_from_dicts([_base(week="x"), _base(code="b", colour=1)])
    assert len(error.value.errors) == 2


def test_relative_step_with_week_zero_is_allowed():
    rows = [_base(week=8), _base(code="b", week=0, offset_days=3, relative_to="a")]
    tasks = by_key(compute_tasks(OPEN_CASE, protocol_from_dicts(rows)))
    assert tasks["b"].sick_day == 59  # day 56 + 3


# --- No Django needed ---------------------------------------------------------------------


def test_module_imports_without_django():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; import verzuim.absence.poortwachter; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
