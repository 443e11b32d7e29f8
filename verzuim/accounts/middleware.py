from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.middleware import Handler
from verzuim.core.request import Origin

# Writing the last-seen time on every request would cost a database write per page;
# once a minute is precise enough for a timeout measured in minutes.
SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """Ends sessions after the tenant's idle and absolute limits, on the server side."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.session.origin = Origin.from_request(request)  # type: ignore[attr-defined]
        user = request.user
        tenant = getattr(request, "tenant", None)
        if user.is_authenticated and tenant is not None:
            now = time.time()
            auth_at = request.session.get("auth_at", 0)
            seen_at = request.session.get("seen_at", 0)
            idle = tenant.session_idle_minutes * 60
            absolute = tenant.session_absolute_hours * 3600
            if now - seen_at > idle or now - auth_at > absolute:
                record(Event.SESSION_EXPIRED, origin=Origin.from_request(request),
                       subject=user, data={"idle": now - seen_at > idle})
                logout(request)
                messages.info(request, _("Your session has ended because you were inactive "
                                         "for a while. Please log in again."))
                return redirect(f"/accounts/login/?next={request.path}"
                                if request.method == "GET" else "/accounts/login/")
            if now - seen_at > SEEN_RESOLUTION_SECONDS:
                request.session["seen_at"] = now
        return self.get_response(request)
