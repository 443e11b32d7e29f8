"""The help centre pages: index, FAQ, manuals and search (FAQ and search also before login)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from verzuim.help import queries


def _tenant(request: HttpRequest) -> object:
    return getattr(request, "tenant", None)


def index(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    return render(
        request,
        "help/index.html",
        {
            "manuals": queries.visible_manuals(tenant, request.user),
            "faq_items": queries.visible_faq(tenant, request.user),
        },
    )


def faq(request: HttpRequest) -> HttpResponse:
    """Frequently asked questions; before login only the login questions."""
    return render(
        request,
        "help/faq.html",
        {
            "faq_items": queries.visible_faq(_tenant(request), request.user),
        },
    )


@login_required
def manual(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.get_manual(_tenant(request), request.user, slug)
    return render(request, "help/manual.html", {"manual": item})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    faq_items, manuals = queries.search(_tenant(request), request.user, query)
    return render(
        request,
        "help/search.html",
        {
            "query": query,
            "faq_items": faq_items,
            "manuals": manuals,
        },
    )
