from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
            idle_ended = now - seen_at > idle
            if idle_ended or now - auth_at > absolute:
                record(
                    Event.SESSION_EXPIRED,
                    origin=Origin.from_request(request),
                    subject=user,
                    data={"idle": idle_ended},
                )
                logout(request)
                if idle_ended:
                    text = _(
                        "Your session has ended because you were inactive for a while. "
                        "Please log in again."
                    )
                else:
                    text = ngettext(
                        "For your security a session lasts at most %(hours)d hour. "
                        "Please log in again.",
                        "For your security a session lasts at most %(hours)d hours. "
                        "Please log in again.",
                        tenant.session_absolute_hours,
                    ) % {"hours": tenant.session_absolute_hours}
                messages.info(request, text)
                login_url = reverse("accounts:login")
                if request.method == "GET":
                    login_url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(login_url)
            if now - seen_at > SEEN_RESOLUTION_SECONDS:
                request.session["seen_at"] = now
        return self.get_response(request)
