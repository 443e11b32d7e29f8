from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from verzuim.absence.scope import uses_absence


def absence_nav(request: HttpRequest) -> dict[str, Any]:
    """Whether the top bar shows the sick-leave menu (roles only; data stays scoped)."""
    return {"absence_nav": uses_absence(getattr(request, "user", None))}
