"""Where the web workers' CPU goes during logins: py-spy samples, summarised.

``py-spy record --format raw`` writes collapsed stacks (``frame;frame;... count``), each frame
as ``function (file:line)``. A sample whose stack passes through the argon2 package is the
password hash; the rest is overhead, summarised by the leaf function (self time) and by the
first frame inside a given package (inclusive time).
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
GROUPS = (
    ("argon2 (password hash)", ("argon2/", "_argon2", "argon2_cffi")),
    ("Django templates", ("django/template/", "django/templatetags/")),
    ("Django ORM (query building, model instances)", ("django/db/models/",)),
    ("database driver / SQL round trips", ("psycopg", "django/db/backends/")),
    ("sessions", ("django/contrib/sessions/", "verzuim/accounts/sessions")),
    ("signing / CSRF / cookies", ("django/core/signing", "django/middleware/csrf")),
    ("translations (gettext)", ("django/utils/translation/", "gettext.py")),
    ("URL resolving", ("django/urls/",)),
    ("Redis cache", ("redis/", "django/core/cache/")),
    ("gunicorn / WSGI / HTTP", ("gunicorn/", "django/core/handlers/", "django/http/")),
    ("audit log", ("verzuim/audit/",)),
    ("throttles", ("verzuim/accounts/throttles",)),
    ("verzuim (other project code)", ("verzuim/",)),
    ("other Django", ("django/",)),
)


def _file(frame: str) -> str:
    match = FRAME.match(frame.strip())
    return match.group("file") if match else frame


def _short(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame
    path = match.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match.group('func')} ({path})"


@dataclass
class Profile:
    samples: int = 0
    hash_samples: int = 0
    self_time: collections.Counter[str] = field(default_factory=collections.Counter)
    groups: collections.Counter[str] = field(default_factory=collections.Counter)
    inclusive: collections.Counter[str] = field(default_factory=collections.Counter)

    @property
    def hash_share(self) -> float:
        return self.hash_samples / self.samples if self.samples else 0.0

    @property
    def overhead(self) -> int:
        return self.samples - self.hash_samples


def _group(stack: list[str]) -> str:
    """The group of the deepest frame that belongs to one (the leaf first)."""
    for frame in reversed(stack):
        path = _file(frame)
        for name, markers in GROUPS:
            if any(m in path for m in markers):
                return name
    return "other (Python stdlib, interpreter)"


def parse(raw: str) -> Profile:
    profile = Profile()
    for line in raw.splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        count = int(count_text)
        stack = [f for f in stack_text.split(";") if f and not f.startswith("process ")]
        if not stack:
            continue
        profile.samples += count
        if any(any(m in _file(f) for m in GROUPS[0][1]) for f in stack):
            profile.hash_samples += count
            continue
        profile.self_time[_short(stack[-1])] += count
        profile.groups[_group(stack)] += count
        seen: set[str] = set()
        for frame in stack:
            short = _short(frame)
            if "verzuim/" in _file(frame) and short not in seen:
                seen.add(short)
                profile.inclusive[short] += count
    return profile
