"""Log records carry the request's reference code and never raw control characters."""

from __future__ import annotations

import logging
import re

from verzuim.core.reference import current_reference

#: Activation, password-reset and phone-recovery links carry a secret token in the path.
TOKEN_PATHS = re.compile(
    r"^/(activate|recover/password)/[^/]+/[^/]+/|^/(settings/security/phone/confirm)/[^/]+/"
)


def redact_link_tokens(path: str) -> str:
    """The path with any link token replaced by ``[redacted]``."""
    return TOKEN_PATHS.sub(lambda m: f"/{m.group(1) or m.group(2)}/[redacted]/", path)


def safe_for_log(value: object, limit: int = 200) -> str:
    """Printable, single-line text for a log message (guards against log injection)."""
    text = str(value)[:limit]
    return text.encode("unicode_escape").decode("ascii")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.reference = current_reference.get()
        # Django's own records ("Internal Server Error: <path>") name the path as an
        # argument: a link's token must not reach the log that way either.
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_link_tokens(a) if isinstance(a, str) and a.startswith("/") else a
                for a in record.args
            )
        return True
