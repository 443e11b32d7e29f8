from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from verzuim.messaging.models import OutboxMessage


def outbox(request: HttpRequest) -> HttpResponse:
    """Development only: the messages the portal would have sent."""
    if not settings.DEV_PAGES_ENABLED:
        raise Http404
    return render(request, "messaging/outbox.html",
                  {"messages_out": OutboxMessage.objects.all()[:50]})
