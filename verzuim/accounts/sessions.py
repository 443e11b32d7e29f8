"""Database sessions that record their user, address and browser.

Knowing the user of each session lets a user (and support) list and end sessions, and lets
a password reset or a block end every session of that user at once, on every app process.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone
from django.utils.crypto import get_random_string

from verzuim.core.request import Origin


class SessionStore(DBStore):
    origin: Origin | None = None

    @classmethod
    def get_model_class(cls) -> Any:
        from verzuim.accounts.models import UserSession

        return UserSession

    def _get_new_session_key(self) -> str:
        # 32 characters from 36 (165 bits). No lookup first: the INSERT of ``create`` fails
        # on the primary key in the impossible case of a clash, and ``create`` tries again.
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        """A new key for the same data, without a write now: the old row goes at once, and
        the response writes the session once, under the new key (one INSERT, not an INSERT
        and an UPDATE)."""
        data = self._get_session()  # type: ignore[attr-defined]
        old_key = self.session_key
        self._session_key = None
        self._session_cache = data
        self.modified = True
        if old_key:
            self.delete(old_key)

    def delete(self, session_key: str | None = None) -> None:
        # One DELETE (Django's version first fetches the row to delete it).
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            self.model.objects.filter(session_key=key).delete()

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        obj: Any = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        obj.user_id = int(user_id) if user_id is not None else None
        obj.last_activity = timezone.now()
        if self.origin is not None:
            obj.ip = self.origin.ip
            obj.user_agent = self.origin.user_agent
        return obj


def end_sessions(user: Any, *, keep_session_key: str | None = None) -> int:
    """End the user's sessions on every device (except ``keep_session_key``)."""
    from verzuim.accounts.models import UserSession

    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    count, _ = sessions.delete()
    return count
