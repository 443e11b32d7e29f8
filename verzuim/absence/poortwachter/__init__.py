"""Pure deadline engine for the Wet verbetering poortwachter (Dutch sick-leave process).

Standard library only: this module must not import Django, so it can be tested and reused
without settings or a database.

Glossary: ziekmelding → sick report (one :class:`SickPeriod` here), traject → case
(:class:`CaseTimeline`), plan van aanpak → action plan, nieuw bedongen arbeid → new work
override.

Definitions
-----------
* A :class:`SickPeriod` runs from ``first_sick_day`` (inclusive, sick day 1 of that report)
  up to ``recovery_date`` (exclusive: the first day fit, the *hersteldatum*). ``None`` means
  the report is still open. Partial recovery is a percentage mutation inside the same report
  and does not end it, so it has no place (and no effect) here.
* Samentellen (art. 7:629 lid 10 BW): the *gap* between two consecutive periods is
  ``next.first_sick_day - previous.recovery_date`` in days, i.e. the number of fit calendar
  days in between. ``gap < 28`` → the later period is added to the same case;
  ``gap >= 28`` → it starts a new case. A later period with ``new_work_override=True``
  always starts a new case.
* Aggregated sick days: day 1 is the case's first sick day; only calendar days inside the
  case's periods are counted, so the fit days in between shift every deadline by exactly
  their number. Sick week ``w`` covers aggregated days ``7*(w-1)+1`` … ``7*w``.
* Protocol steps (see :class:`ProtocolStep`): a plain step's deadline is the *last* day of
  its week plus ``offset_days`` ("uiterlijk in week 6" → day 42; "first day after week 42"
  → week 42 with ``offset_days=1`` → day 295). A windowed step opens on the *first* day of
  ``week`` (plus ``offset_days``) and closes on the last day of ``window_end_week``.
  A step with ``relative_to`` is anchored on the deadline of the referenced step (its window
  end when windowed) and lies ``week`` weeks plus ``offset_days`` days after it, still counted
  in aggregated sick days.
* A closed case (last period recovered) does not project beyond its last sick day: steps
  whose deadline falls later get ``status="not_due_case_closed"`` (and no date for whatever
  was not reached). An open case projects forward from its last period.
"""

from verzuim.absence.poortwachter.base import (
    MAX_SICK_DAYS,
    PROTOCOL_VERSION,
    SAMENTELLEN_GAP_DAYS,
    InvalidHistory,
    InvalidProtocol,
    TaskStatus,
)
from verzuim.absence.poortwachter.cases import (
    CaseTimeline,
    SickPeriod,
    date_of_sick_day,
    date_of_sick_week,
    group_into_cases,
    sick_day_number,
)
from verzuim.absence.poortwachter.protocol import (
    DEFAULT_PROTOCOL,
    ProtocolStep,
    protocol_from_dicts,
    protocol_to_dicts,
)
from verzuim.absence.poortwachter.tasks import TaskDue, compute_tasks, period_from_mutations

__all__ = [
    "MAX_SICK_DAYS",
    "DEFAULT_PROTOCOL",
    "PROTOCOL_VERSION",
    "SAMENTELLEN_GAP_DAYS",
    "CaseTimeline",
    "InvalidHistory",
    "InvalidProtocol",
    "ProtocolStep",
    "SickPeriod",
    "TaskDue",
    "TaskStatus",
    "compute_tasks",
    "date_of_sick_day",
    "date_of_sick_week",
    "group_into_cases",
    "period_from_mutations",
    "protocol_from_dicts",
    "protocol_to_dicts",
    "sick_day_number",
]
