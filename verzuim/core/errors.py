"""Error reference codes: each error page logs and stores its code so support can find it."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.http import HttpRequest

from verzuim.core.logging import redact_link_tokens, safe_for_log
from verzuim.core.models import PATH_MAX_LENGTH, ErrorReport

logger = logging.getLogger(__name__)


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without ever raising (the session store may be down)."""
    try:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return int(user.pk)
    except DatabaseError:
        pass
    return None


def _tenant_id(request: HttpRequest) -> int | None:
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "pk", None)


def report_error(request: HttpRequest, status: int, error_type: str = "") -> str:
    """Log and store the error page about to be shown; returns the reference code.

    Never raises for database trouble: the error page must always appear.
    """
    reference = getattr(request, "reference", "-")
    user_id = _user_id(request)
    tenant_id = _tenant_id(request)
    logger.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "error page %s shown: reference=%s type=%s path=%s user=%s tenant=%s",
        status, reference, safe_for_log(error_type),
        safe_for_log(redact_link_tokens(request.path)),
        user_id, tenant_id,
        extra={"error_reference": reference, "status": status},
    )
    try:
        # A savepoint, so a failed insert cannot spoil a surrounding transaction.
        with transaction.atomic():
            ErrorReport.objects.create(
                reference=reference[:9], status=status,
                path=redact_link_tokens(request.path)[:PATH_MAX_LENGTH],
                user_id=user_id, tenant_id=tenant_id,
                error_type=error_type[:100],
            )
    except DatabaseError as exc:
        # Expected while the database is away; the request's own error is logged already.
        logger.warning("could not store error report %s: %s", reference, type(exc).__name__)
    return reference
