"""A small per-process memory for data that is read on every request and changes rarely
(the tenant of a host name, the help sidebar).

Each entry lives ``seconds`` at most; a change saved in this process forgets the entries at
once (``clear``, from a model signal), other processes see it when their entry expires. A
lifetime of 0 (the test settings) turns the memory off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    def __init__(self, seconds: Callable[[], float], max_entries: int = 1000) -> None:
        self._seconds = seconds
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The remembered value of ``key``, or ``load()`` (remembered when enabled and not
        None). Remembered objects are shared between requests: never change them."""
        lifetime = self._seconds()
        if lifetime <= 0:
            return load()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if value is None:  # not found (yet): ask again next time
            return value
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (now + lifetime, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
