"""The help texts the portal ships with (``content/``), copied into each tenant's FAQ.

Each file is Markdown with a small front-matter between ``---`` lines (``key: value``).
Seeding only adds what a tenant does not have yet, so edits by a tenant admin survive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SHIPPED_LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class ShippedText:
    kind: str  # "faq" or "manuals"
    language: str
    slug: str
    title: str
    body: str
    order: int = 100
    before_login: bool = False
    audience: list[str] = field(default_factory=list)


def parse(text: str) -> tuple[dict[str, str], str]:
    """Split ``---`` front-matter from the Markdown body."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text.strip()
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[index + 1 :]).strip()
        key, _sep, value = line.partition(":")
        meta[key.strip()] = value.strip()
    raise ValueError("front-matter is not closed with ---")


def _read(kind: str, language: str, path: Path) -> ShippedText:
    meta, body = parse(path.read_text(encoding="utf-8"))
    return ShippedText(
        kind=kind,
        language=language,
        slug=meta.get("slug") or path.stem,
        title=meta["title"],
        body=body,
        order=int(meta.get("order") or 100),
        before_login=meta.get("before_login", "no").lower() in {"yes", "true", "1"},
        audience=[r.strip() for r in meta.get("audience", "").split(",") if r.strip()],
    )


@cache
def shipped(kind: str) -> tuple[ShippedText, ...]:
    texts = []
    for language in SHIPPED_LANGUAGES:
        for path in sorted((CONTENT_DIR / kind / language).glob("*.md")):
            texts.append(_read(kind, language, path))
    return tuple(texts)


def seed_into(tenant_id: int, faq_model: Any, manual_model: Any) -> int:
    """Add the shipped texts a tenant lacks; returns how many were added.

    Takes the model classes so a data migration can pass its historical models.
    """
    added = 0
    for kind, model in (("faq", faq_model), ("manuals", manual_model)):
        existing = set(model.objects.filter(tenant_id=tenant_id).values_list("language", "slug"))
        new = []
        for text in shipped(kind):
            if (text.language, text.slug) in existing:
                continue
            values: dict[str, Any] = {
                "tenant_id": tenant_id,
                "language": text.language,
                "slug": text.slug,
                "title": text.title,
                "body": text.body,
                "order": text.order,
                "audience": text.audience,
                "status": "published",
            }
            if kind == "faq":
                values["before_login"] = text.before_login
            new.append(model(**values))
        model.objects.bulk_create(new, ignore_conflicts=True)
        added += len(new)
    return added


def seed_help(tenant: Any) -> int:
    """Give ``tenant`` the shipped FAQ and manuals (idempotent)."""
    from verzuim.help.models import FaqItem, Manual

    return seed_into(tenant.pk, FaqItem, Manual)
