from __future__ import annotations

from django.utils.translation import ngettext


def humanise_seconds(seconds: int) -> str:
    """'45 seconden', '3 minuten' — rounded up, for waits shown to users."""
    seconds = max(int(seconds), 1)
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
