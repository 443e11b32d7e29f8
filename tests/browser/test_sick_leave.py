"""Issue 5 in a real browser: HR reports an employee sick, follows the case and its tasks,
reports partial and then full recovery, and sees the dashboard figures change.

Only the set-up (employer, department, three employees, the HR user's scope) is written to
the database directly; everything after the login is clicked and typed as a person would.
Dates are relative to today, so the scenario keeps working. The pages may be Dutch or
English (the sick-leave texts are not all translated yet), so the assertions rely on ids,
classes, links and form field names, on data (names, task titles) and on dates and numbers
formatted the way the page's own language formats them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_login_flows import (
    at,
    enter_sms_code,
    expect_home,
    newest_sms_code,
    password_step,
    snapshot,
)
from tests.factories import DepartmentFactory, EmployeeFactory, EmployerFactory, grant_scope
from verzuim.absence.labels import task_title

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYEES = "/verzuim/medewerkers/"
DASHBOARD = "/verzuim/dashboard/"
CASE = re.compile(r"^https?://[^/]+/verzuim/trajecten/\d+/$")

# The dates of the story, counted back from today.
SICK_FROM = 10  # first sick day: today - 10, reported at 100 %
HALF_FROM = 5  # 50 % unable to work from today - 5
FIT_FROM = 2  # fully fit again (first day fit, not a sick day) from today - 2
PERIOD_DAYS = 30  # the dashboard period: today - 29 up to and including today


# --- set-up -------------------------------------------------------------------------------


@pytest.fixture
def bakery(tenant, hr_user):
    """An employer with one department and three full-timers employed since 2020; the HR
    user sees the whole employer. Returns the employee who will fall sick."""
    employer = EmployerFactory(tenant=tenant, name="Bakkerij De Korenschoof B.V.")
    bakers = DepartmentFactory(employer=employer, name="Bakkerij")
    people = [
        EmployeeFactory(
            employer=employer,
            department=bakers,
            first_name=first,
            last_name=last,
            personnel_number=number,
            employed__start=date(2020, 1, 1),
            employed__hours="40",
        )
        for first, last, number in (
            ("Sara", "de Vries", "1001"),
            ("Tom", "Bakker", "1002"),
            ("Lisa", "Jansen", "1003"),
        )
    ]
    grant_scope(hr_user, employer)
    return people[0]


# --- helpers ------------------------------------------------------------------------------


def language(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or "nl"


def day(page: Page, when: date) -> str:
    """``when`` as the page writes it (``DATE_FORMAT`` in the page's language)."""
    with translation.override(language(page)):
        return formats.date_format(when, "DATE_FORMAT")


def number(page: Page, value: float, digits: int) -> str:
    """``value`` as the page writes it (``floatformat`` in the page's language)."""
    with translation.override(language(page)):
        return str(floatformat(value, digits))


def task(page: Page, english: str) -> str:
    """A built-in protocol task title as the page shows it (translated in Dutch)."""
    with translation.override(language(page)):
        return task_title(english)


def submit(page: Page, field_id: str) -> None:
    page.locator("form", has=page.locator(f"#{field_id}")).locator("button[type=submit]").click()


def open_dashboard(page: Page, start: date, end: date) -> None:
    page.locator(f".main-nav a[href='{DASHBOARD}']").click()
    expect(page).to_have_url(at(DASHBOARD))
    page.fill("#id_date_from", start.isoformat())
    page.fill("#id_date_to", end.isoformat())
    submit(page, "id_date_to")
    expect(page.locator("#figures")).to_be_visible()


def figure(page: Page, name: str) -> Locator:
    return page.locator(f"#figure-{name} .figure-value")


def figures(page: Page) -> dict[str, str]:
    """The four big numbers of the dashboard, as shown."""
    names = ("percentage", "frequency", "duration", "zero")
    return {name: figure(page, name).inner_text().strip() for name in names}


def hint(page: Page, name: str) -> Locator:
    return page.locator(f"#figure-{name} .hint")


def case_fact(page: Page, index: int) -> Locator:
    """The ``index``-th value in the case's facts: 0 first sick day, 1 status, 2 sick days."""
    return page.locator(".case-facts dd").nth(index)


def report_change(page: Page, *, on: date, incapacity: int | None = None) -> None:
    """Herstel melden from the case page: partial with ``incapacity``, else full."""
    page.locator(".case-actions a[href$='/herstel/']").click()
    expect(page.locator("#id_on")).to_be_visible()
    if incapacity is None:
        page.check("input[name=kind][value=full]")
    else:
        page.check("input[name=kind][value=partial]")
        page.fill("#id_incapacity", str(incapacity))
    page.fill("#id_on", on.isoformat())
    submit(page, "id_on")
    expect(page).to_have_url(CASE)
    expect(page.locator(".message-success")).to_be_visible()


# --- the scenario -------------------------------------------------------------------------


def test_report_sick_follow_the_case_recover_and_see_the_figures_change(
    page: Page, hr_user, password, bakery
):
    sara = bakery
    today = timezone.localdate()
    sick_from = today - timedelta(days=SICK_FROM)
    half_from = today - timedelta(days=HALF_FROM)
    fit_from = today - timedelta(days=FIT_FROM)
    period_start = today - timedelta(days=PERIOD_DAYS - 1)

    # -- log in with password and SMS code ----------------------------------------------
    password_step(page, hr_user, password)
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)

    # -- the dashboard before: nobody sick ------------------------------------------------
    open_dashboard(page, period_start, today)
    before = figures(page)
    assert before == {
        "percentage": f"{number(page, 0, 1)}%",
        "frequency": number(page, 0, 2),
        "duration": "–",
        "zero": f"{number(page, 100, 1)}%",
    }
    expect(hint(page, "zero")).to_contain_text(re.compile(r"\b3\b.*\b3\b"))
    snapshot(page, "sick-leave-dashboard-before")

    # -- find Sara and report her sick ----------------------------------------------------
    page.locator(f".main-nav a[href='{EMPLOYEES}']").click()
    expect(page).to_have_url(at(EMPLOYEES))
    expect(page.locator("#employees tbody tr")).to_have_count(3)
    page.fill("#id_q", "Vries")
    submit(page, "id_q")
    rows = page.locator("#employees tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".badge-sick")).to_have_count(0)
    rows.locator(f"a[href='{EMPLOYEES}{sara.pk}/']").click()

    expect(page.locator("main h1")).to_contain_text(sara.full_name)
    expect(page.locator("main h1 .badge-sick")).to_have_count(0)
    page.locator(f"main a.button[href='{EMPLOYEES}{sara.pk}/ziekmelden/']").click()

    expect(page.locator("main h1")).to_contain_text(sara.full_name)
    expect(page.locator("#id_first_sick_day")).to_have_value(today.isoformat())
    expect(page.locator("#id_incapacity")).to_have_value("100")
    page.fill("#id_first_sick_day", sick_from.isoformat())
    snapshot(page, "sick-leave-report-form")
    submit(page, "id_first_sick_day")

    # -- the case page: the report, the status and the Poortwachter tasks -----------------
    expect(page).to_have_url(CASE)
    expect(page.locator(".message-success")).to_contain_text(sara.full_name)
    expect(page.locator("main h1")).to_contain_text(sara.full_name)
    expect(case_fact(page, 0)).to_have_text(day(page, sick_from))
    expect(case_fact(page, 1)).to_contain_text("100%")
    # Sick since today - 10: today is sick day 11, in sick week 2.
    expect(case_fact(page, 2)).to_contain_text(re.compile(r"^11\b.*\b2$"))

    reported = page.locator("li.timeline-report")
    expect(reported).to_have_count(1)
    expect(reported.locator(".timeline-date")).to_have_text(day(page, sick_from))

    # Week 1 ends on sick day 7 (today - 4): the report to the occupational health service
    # is overdue already. Probleemanalyse by the end of week 6 (day 42), plan van aanpak by
    # the end of week 8 (day 56): both within the timeline's eight weeks ahead.
    week_one = page.locator(
        "li.timeline-task", has_text=task(page, "Report to the occupational health service")
    )
    expect(week_one).to_have_count(1)
    expect(week_one.locator(".timeline-date")).to_have_text(day(page, sick_from + timedelta(6)))
    expect(week_one.locator(".badge-overdue")).to_be_visible()
    analysis = page.locator("li.timeline-task", has_text=task(page, "Probleemanalyse"))
    expect(analysis).to_have_count(1)
    expect(analysis.locator(".timeline-date")).to_have_text(day(page, sick_from + timedelta(41)))
    expect(analysis.locator(".badge")).to_have_count(0)  # more than two weeks away
    plan = page.locator("li.timeline-task", has_text=task(page, "Plan van aanpak")).filter(
        has_not_text=task(page, "Evaluation of the plan van aanpak")
    )
    expect(plan.locator(".timeline-date")).to_have_text(day(page, sick_from + timedelta(55)))
    expect(page.locator("li.timeline-change")).to_have_count(0)
    snapshot(page, "sick-leave-case-reported")

    # -- partial recovery: 50 % from today - 5 --------------------------------------------
    report_change(page, on=half_from, incapacity=50)
    expect(case_fact(page, 1)).to_contain_text("50%")
    changes = page.locator("li.timeline-change")
    expect(changes).to_have_count(1)
    expect(changes.locator(".timeline-date")).to_have_text(day(page, half_from))
    expect(changes).to_contain_text("50%")
    expect(page.locator(".case-actions a[href$='/herstel/']")).to_be_visible()  # still open
    expect(analysis).to_have_count(1)  # partly working: the deadlines keep running
    snapshot(page, "sick-leave-case-partial")

    # -- full recovery from today - 2 -----------------------------------------------------
    report_change(page, on=fit_from)
    expect(case_fact(page, 1)).to_contain_text(day(page, fit_from))
    expect(case_fact(page, 1)).not_to_contain_text("%")
    # Sick days today - 10 up to today - 3 (the day fit again does not count): 8.
    expect(case_fact(page, 2)).to_contain_text(re.compile(r"^8\b"))
    expect(page.locator(".case-actions a[href$='/herstel/']")).to_have_count(0)
    expect(changes).to_have_count(2)
    expect(changes.nth(0).locator(".timeline-date")).to_have_text(day(page, half_from))
    expect(changes.nth(1).locator(".timeline-date")).to_have_text(day(page, fit_from))
    # The tasks the case never reached are no longer needed; week 1 was reached.
    expect(page.locator("li.timeline-task", has_text=task(page, "Probleemanalyse"))).to_have_count(
        0
    )
    lapsed = page.locator("main details.lapsed-tasks")
    expect(lapsed.locator("summary")).to_be_visible()
    expect(lapsed.locator("li", has_text=task(page, "Probleemanalyse"))).to_have_count(1)
    expect(week_one.locator(".badge-overdue")).to_be_visible()
    snapshot(page, "sick-leave-case-recovered")

    # The employee page agrees: no longer sick, the case closed on the recovery date.
    page.locator(f"main .hint a[href='{EMPLOYEES}{sara.pk}/']").click()
    expect(page.locator("main h1")).to_contain_text(sara.full_name)
    expect(page.locator("main h1 .badge-sick")).to_have_count(0)
    case_row = page.locator("#cases tbody tr")
    expect(case_row).to_have_count(1)
    expect(case_row.locator("td").nth(0)).to_have_text(day(page, sick_from))
    expect(case_row.locator("td").nth(1)).to_have_text(day(page, fit_from))

    # -- the dashboard after --------------------------------------------------------------
    open_dashboard(page, period_start, today)
    # Available: 3 full-timers x 30 days = 90 days. Sick, weighted by incapacity:
    # today-10 .. today-6 at 100 % = 5 days, today-5 .. today-3 at 50 % = 1.5 days: 6.5.
    # Verzuimpercentage 6.5 / 90 x 100 = 7.22 -> 7.2 %.
    # Meldingsfrequentie: 1 new report / average headcount 3 x 365 / 30 = 4.06.
    # Average duration: from today-10 to the recovery on today-2 = 8 days (ended in period).
    # Nulverzuim: 2 of the 3 employed all period were never sick in it = 66.7 %.
    after = figures(page)
    assert after["percentage"] == f"{number(page, 6.5 / 90 * 100, 1)}%"
    assert after["frequency"] == number(page, 1 / 3 * 365 / 30, 2)
    assert after["duration"].startswith(number(page, 8, 1)), after["duration"]
    assert after["zero"] == f"{number(page, 200 / 3, 1)}%"
    assert after["percentage"] != before["percentage"]
    assert after["frequency"] != before["frequency"]
    assert after["zero"] != before["zero"]
    expect(hint(page, "percentage")).to_contain_text(number(page, 6.5, 1))
    expect(hint(page, "percentage")).to_contain_text(number(page, 90, 1))
    expect(hint(page, "frequency")).to_contain_text(re.compile(r"^1\b"))
    expect(hint(page, "duration")).to_contain_text(re.compile(r"\b1\b"))
    expect(hint(page, "zero")).to_contain_text(re.compile(r"^2\b.*\b3\b"))
    department = page.locator("#departments tbody tr")
    expect(department).to_have_count(1)
    expect(department.locator("th")).to_have_text("Bakkerij")
    expect(department.locator("td").nth(0)).to_have_text(after["percentage"])
    snapshot(page, "sick-leave-dashboard-after")
