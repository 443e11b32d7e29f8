"""Where the user is in the activation, kept in the server-side session.

Before the password is set, the session holds the link's token (never the URL), and every
step checks it again. After the password it holds a fresh token bound to the new password
hash, so a newer invitation or another password change still ends the flow. After the SMS
code the user is logged in and the state only records the remaining steps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.http import HttpRequest

SESSION_KEY = "activation"

PASSWORD, PHONE, FACTOR, BACKUP_CODES = "password", "phone", "factor", "backup-codes"
LINK_STEPS = (PASSWORD, PHONE)  # not logged in yet; the token in the session is the key
LOGGED_IN_STEPS = (FACTOR, BACKUP_CODES)
URL_NAMES = {
    PASSWORD: "activation:password",
    PHONE: "activation:phone",
    FACTOR: "activation:factor",
    BACKUP_CODES: "activation:backup-codes",
}
STEP_NUMBERS = {PASSWORD: 1, PHONE: 2, FACTOR: 3, BACKUP_CODES: 4}
STEP_COUNT = 4


@dataclass
class ActivationState:
    user_id: int
    step: str
    token: str = ""
    attempt_id: str = ""  # SMS codes of the phone step are bound to it
    since: float = 0.0  # when the password was set
    codes_made: bool = False  # backup codes were made (and shown) in this activation


def begin(request: HttpRequest, user_id: int, token: str) -> ActivationState:
    # A new session key, so a session id planted before the link was opened is worthless.
    request.session.cycle_key()
    state = ActivationState(user_id=user_id, step=PASSWORD, token=token)
    save(request, state)
    return state


def get(request: HttpRequest) -> ActivationState | None:
    raw = request.session.get(SESSION_KEY)
    if not raw:
        return None
    try:
        state = ActivationState(**raw)
    except TypeError:
        clear(request)
        return None
    if state.step not in URL_NAMES:
        clear(request)
        return None
    return state


def save(request: HttpRequest, state: ActivationState) -> None:
    request.session[SESSION_KEY] = asdict(state)


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
