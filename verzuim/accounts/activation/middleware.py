"""Keeps a newly activated user in the activation until the backup codes are confirmed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from verzuim.core.middleware import Handler

from . import state

# What a user in the middle of the activation may still open: the activation itself, the
# pages that add an authenticator app or security key (and their helpers under
# /accounts/verify/), logging out, static files, help and the language switch.
ALLOWED_PREFIXES = (
    "/activate/",
    "/accounts/verify/",
    "/accounts/logout/",
    "/static/",
    "/help/",
    "/i18n/",
)


def unfinished_step(request: HttpRequest) -> str | None:
    """The step a logged-in user must return to, or None when nothing is unfinished."""
    user = request.user
    if not user.is_authenticated:
        return None
    current = state.get(request)
    if current is not None and current.user_id == user.pk and current.step in state.LOGGED_IN_STEPS:
        return current.step
    if getattr(user, "activated_at", True) is None:
        # Logged in normally after setting the password, but never finished: resume.
        return state.FACTOR
    return None


class ActivationMiddleware:
    """Place after SessionTimeoutMiddleware, so an ended session is logged out first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(ALLOWED_PREFIXES):
            step = unfinished_step(request)
            if step is not None:
                return redirect(state.URL_NAMES[step])
        return self.get_response(request)
