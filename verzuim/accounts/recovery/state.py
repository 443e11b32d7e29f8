"""The opened reset link, kept in the server-side session instead of the address bar."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.http import HttpRequest

SESSION_KEY = "password_reset"


@dataclass
class ResetState:
    user_id: int
    token: str


def begin(request: HttpRequest, user_id: int, token: str) -> None:
    # A new session key, so a session id planted before the link was opened is worthless.
    request.session.cycle_key()
    request.session[SESSION_KEY] = asdict(ResetState(user_id=user_id, token=token))


def get(request: HttpRequest) -> ResetState | None:
    raw = request.session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        return ResetState(user_id=int(raw["user_id"]), token=str(raw["token"]))
    except (KeyError, TypeError, ValueError):
        clear(request)
        return None


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
