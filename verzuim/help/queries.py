"""Read-side of the help centre: what a visitor may see, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone, translation

from verzuim.core.memo import Memo
from verzuim.core.models import ErrorReport
from verzuim.core.reference import normalise_reference
from verzuim.help.models import FaqItem, Manual, SupportRequest, SupportRequestQuerySet

ERROR_LOOKBACK = timedelta(hours=1)
SIDEBAR_FAQ_ITEMS = 6


def current_language() -> str:
    code = (translation.get_language() or "nl")[:2].lower()
    return code if code in {"nl", "en"} else "nl"


def viewer_roles(user: Any) -> list[str] | None:
    """The roles of a logged-in user; None before login."""
    if user is None or not user.is_authenticated:
        return None
    return list(getattr(user, "roles", None) or [])


def visible_faq(tenant: Any, user: Any, language: str | None = None) -> list[FaqItem]:
    """Published FAQ items for this visitor: before login only the login questions."""
    roles = viewer_roles(user)
    items = (
        FaqItem.objects.for_tenant(tenant).published().in_language(language or current_language())
    )
    if roles is None:
        items = items.filter(before_login=True)
    return [item for item in items if item.is_for(roles)]


def visible_manuals(tenant: Any, user: Any, language: str | None = None) -> list[Manual]:
    """Published manuals for the user's roles; nothing before login."""
    roles = viewer_roles(user)
    if roles is None:
        return []
    manuals = (
        Manual.objects.for_tenant(tenant).published().in_language(language or current_language())
    )
    return [manual for manual in manuals if manual.is_for(roles)]


def get_manual(tenant: Any, user: Any, slug: str) -> Manual:
    for manual in visible_manuals(tenant, user):
        if manual.slug == slug:
            return manual
    raise Http404


def search(tenant: Any, user: Any, query: str) -> tuple[list[FaqItem], list[Manual]]:
    query = query.strip()
    if not query:
        return [], []
    words = query.split()[:8]
    faq = [item for item in visible_faq(tenant, user) if _matches(item, words)]
    manuals = [manual for manual in visible_manuals(tenant, user) if _matches(manual, words)]
    return faq, manuals


def _matches(item: Any, words: list[str]) -> bool:
    text = f"{item.title}\n{item.body}".casefold()
    return all(word.casefold() in text for word in words)


@dataclass(frozen=True)
class SidebarLink:
    slug: str
    title: str


#: The sidebar per tenant, language and roles, remembered for ``HELP_MEMO_SECONDS`` (default
#: 60) per process; a help text saved or deleted in this process is forgotten at once.
SIDEBARS: Memo[dict[str, list[SidebarLink]]] = Memo(
    lambda: getattr(settings, "HELP_MEMO_SECONDS", 60)
)


def sidebar(tenant: Any, user: Any) -> dict[str, list[SidebarLink]]:
    """Manuals (only when logged in) and the top FAQ items: two queries at most, and none
    while remembered."""
    roles = viewer_roles(user)
    language = current_language()

    def load() -> dict[str, list[SidebarLink]]:
        return {
            "manuals": [
                SidebarLink(m.slug, m.title) for m in visible_manuals(tenant, user, language)
            ],
            "faq": [
                SidebarLink(i.slug, i.title)
                for i in visible_faq(tenant, user, language)[:SIDEBAR_FAQ_ITEMS]
            ],
        }

    key = (tenant.pk, language, None if roles is None else tuple(sorted(roles)))
    return SIDEBARS.get(key, load)


def local_path(value: str | None) -> str:
    """A path on this site without query string or fragment, or "" when it is not one."""
    if not value:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme or parts.netloc:
        return ""
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return ""
    if any(ord(char) < 32 for char in path):
        return ""
    return path[:500]


def referer_path(request: HttpRequest) -> str:
    """The path of the Referer, only when it is our own host."""
    from urllib.parse import urlsplit

    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    return local_path(parts.path)


def checked_reference(tenant: Any, value: str | None) -> str | None:
    """A reference code that exists among this tenant's error reports, or None."""
    code = normalise_reference(value or "")
    if code is None:
        return None
    if not ErrorReport.objects.filter(tenant=tenant, reference=code).exists():
        return None
    return code


def last_error_reference(user: Any) -> str:
    """The reference of the newest error page this user saw in the last hour."""
    report = (
        ErrorReport.objects.filter(
            user=user, tenant=user.tenant, created__gte=timezone.now() - ERROR_LOOKBACK
        )
        .order_by("-created", "-id")
        .first()
    )
    return report.reference if report else ""


def support_requests(tenant: Any) -> SupportRequestQuerySet:
    return SupportRequest.objects.for_tenant(tenant).select_related("user")


def get_support_request(tenant: Any, pk: int) -> SupportRequest:
    request = support_requests(tenant).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request
