"""Typed domain errors of sick-leave management; views map them to Dutch messages."""

from __future__ import annotations


class AbsenceError(Exception):
    """A request that cannot be carried out; ``message`` is a user-facing (lazy) text."""

    def __init__(self, message: object):
        self.message = message
        super().__init__(str(message))


class ReportOverlaps(AbsenceError):
    pass


class InvalidReportChange(AbsenceError):
    pass


class NotEmployed(AbsenceError):
    pass
