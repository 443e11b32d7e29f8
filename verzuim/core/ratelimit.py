"""Anti-automation for costly or data-heavy requests (ASVS V2.4.1): exports, searches,
uploads and the support form.

Fixed-window counters in the shared cache (Redis in production, so every app server counts
together), per user or per client address. Over the limit the user gets a 429 page that
says how long to wait; nothing of the request is processed. Logins, codes and recovery have
their own, stricter throttles in the database (ADR 2 and 6).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

from verzuim.core.request import client_ip
from verzuim.core.timefmt import humanise_seconds

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int
    per: str = "user"  # "user" (the address for anonymous visitors) or "address"


def _who(request: HttpRequest, limit: Limit) -> str:
    user = getattr(request, "user", None)
    if limit.per == "user" and user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"a{getattr(request, 'client_ip', None) or client_ip(request)}"


def retry_after(request: HttpRequest, limit: Limit) -> int | None:
    """Count this request; seconds to wait when it is over the limit, else None."""
    now = time.time()
    window = int(now // limit.seconds)
    key = f"ratelimit:{limit.scope}:{_who(request, limit)}:{window}"
    try:
        cache.add(key, 0, timeout=limit.seconds + 5)
        used = cache.incr(key)
    except Exception:  # the cache is away: serve rather than lock everyone out
        logger.warning("rate limit %s not counted: cache unavailable", limit.scope)
        return None
    if used <= limit.count:
        return None
    if used == limit.count + 1:  # once per window, not for every refused request
        logger.warning("rate limit %s reached by %s", limit.scope, _who(request, limit))
    return max(int((window + 1) * limit.seconds - now), 1)


def limited_response(request: HttpRequest, wait: int) -> HttpResponse:
    from verzuim.core.views import error_page

    response = error_page(
        request, 429, _("Too many requests"),
        _("You have done this very often in a short time. For everyone's safety, please wait "
          "%(wait)s and try again.") % {"wait": humanise_seconds(wait)},
        "RateLimited",
    )
    response["Retry-After"] = str(wait)
    return response


def rate_limited(*limits: Limit, methods: tuple[str, ...] | None = None) -> Callable[[View], View]:
    """Wrap a view: requests (of ``methods``; all when None) count against every limit."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if methods is None or request.method in methods:
                waits = [w for limit in limits if (w := retry_after(request, limit))]
                if waits:
                    return limited_response(request, max(waits))
            return view(request, *args, **kwargs)

        wrapper.rate_limits = limits  # type: ignore[attr-defined]
        return wrapper

    return decorate


MINUTE, HOUR = 60, 3600
#: The limits, in one place (documented in docs/security/validation-rules.md).
SEARCH = (Limit("search", 60, MINUTE, per="address"),)
LIST_FILTER = (Limit("list", 120, MINUTE),)
EXPORT = (Limit("export", 30, HOUR),)
UPLOAD = (Limit("upload", 60, HOUR),)
SUPPORT_FORM = (Limit("support-form", 10, HOUR), Limit("support-form-address", 20, HOUR,
                                                         per="address"))
