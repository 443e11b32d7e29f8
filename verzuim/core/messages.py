"""Flash messages in a cookie named like every other cookie of the portal.

Django's cookie storage always calls its cookie "messages"; over HTTPS every other cookie
carries the __Host- prefix (settings.COOKIE_PREFIX), which makes the browser refuse a copy
set by a sibling host (cookie tossing, ASVS 3.3.3). Used through MESSAGE_STORAGE.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class PrefixedCookieStorage(CookieStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cookie_name = f"{getattr(settings, 'COOKIE_PREFIX', '')}messages"


class PrefixedFallbackStorage(FallbackStorage):
    """Django's default (cookie, then session when the cookie is full), prefixed cookie."""

    storage_classes = (PrefixedCookieStorage, SessionStorage)
