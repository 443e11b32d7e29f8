from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from verzuim.messaging.models import OutboxMessage

OUTBOX_PAGE_SIZE = 50


def outbox(request: HttpRequest) -> HttpResponse:
    """Development only: the messages the portal would have sent, newest first.

    The URL is only routed when DEV_PAGES_ENABLED; the guard here keeps the page closed even
    if the URL were included by mistake.
    """
    if not settings.DEV_PAGES_ENABLED:
        raise Http404
    messages_out = OutboxMessage.objects.order_by("-created", "-id")[:OUTBOX_PAGE_SIZE]
    return render(request, "messaging/outbox.html", {"messages_out": messages_out})
