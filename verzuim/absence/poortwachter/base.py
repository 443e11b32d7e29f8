"""Constants and errors shared by the deadline engine (standard library only)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

#: Periods separated by fewer fit days than this are added together (art. 7:629 lid 10 BW).
SAMENTELLEN_GAP_DAYS = 28
#: Aggregated sick days of the wage-payment obligation (104 weeks); recurring steps stop here.
MAX_SICK_DAYS = 104 * 7

PROTOCOL_VERSION = "2026-1"


class InvalidHistory(ValueError):
    """The report history cannot be turned into cases (overlap, open period not last, …)."""


class InvalidProtocol(ValueError):
    """A protocol definition is malformed; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]):
        self.errors = tuple(errors)
        super().__init__("; ".join(self.errors))


class TaskStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    NOT_DUE_CASE_CLOSED = "not_due_case_closed"
