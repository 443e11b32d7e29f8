"""Log records carry the request's reference code and never raw control characters."""

from __future__ import annotations

import logging

from verzuim.core.reference import current_reference


def safe_for_log(value: object, limit: int = 200) -> str:
    """Printable, single-line text for a log message (guards against log injection)."""
    text = str(value)[:limit]
    return text.encode("unicode_escape").decode("ascii")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.reference = current_reference.get()
        return True
