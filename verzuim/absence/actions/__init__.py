"""Every change to sick-leave data goes through these functions: each is atomic, validates,
writes its audit row and recomputes what depends on it (cases, tasks, figure segments)."""

from verzuim.absence.actions.cases import rebuild_cases, sync_tasks
from verzuim.absence.actions.reports import (
    apply_history,
    correct_mutation,
    report_change,
    report_sick,
    withdraw_report,
)

__all__ = [
    "apply_history",
    "correct_mutation",
    "rebuild_cases",
    "report_change",
    "report_sick",
    "sync_tasks",
    "withdraw_report",
]
