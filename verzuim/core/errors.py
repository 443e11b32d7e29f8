"""Error reference codes: each error page logs its code so support can find it."""

from __future__ import annotations

import logging

from django.http import HttpRequest

from verzuim.core.logging import safe_for_log

logger = logging.getLogger("verzuim.errors")


def log_error_reference(request: HttpRequest, status: int) -> None:
    user = getattr(request, "user", None)
    user_id = getattr(user, "pk", None) if user is not None and user.is_authenticated else None
    logger.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "error page %s shown: reference=%s path=%s user=%s",
        status, getattr(request, "reference", "-"), safe_for_log(request.path), user_id,
    )
