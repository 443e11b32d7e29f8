from __future__ import annotations

import logging
from typing import Any

from django import template
from django.db import DatabaseError
from django.utils.safestring import SafeString

from verzuim.help import queries
from verzuim.help.rendering import render_markdown

register = template.Library()
logger = logging.getLogger(__name__)


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def help_sidebar(context: Any) -> dict[str, Any]:
    """Manuals and top FAQ items for the sidebar; empty when the database fails."""
    request = context.get("request")
    tenant = context.get("tenant")
    user = getattr(request, "user", None)
    if tenant is None:
        return {"manuals": [], "faq": []}
    try:
        return queries.sidebar(tenant, user)
    except DatabaseError:  # an error page must still render
        logger.warning("help sidebar unavailable", exc_info=True)
        return {"manuals": [], "faq": []}
