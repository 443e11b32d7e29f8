from __future__ import annotations

import re

import pytest

from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage, OutgoingMessage

RESET_LINK_RE = re.compile(r"(https?)://([^/\s]+)(/recover/password/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "Een nieuw en lang wachtwoord"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_csrf(response) -> str:
    return CSRF_RE.sub("", response.content.decode())


def emails_to(address: str) -> list[OutboxMessage]:
    deliver_due()
    return list(
        OutboxMessage.objects.filter(channel="email", to=address).order_by("-created", "-id")
    )


def queued_emails() -> int:
    return OutgoingMessage.objects.filter(channel="email").count()


def reset_link_in(message: OutboxMessage) -> re.Match[str]:
    match = RESET_LINK_RE.search(message.body)
    assert match, message.body
    return match


def newest_reset_path(user) -> str:
    messages = [m for m in emails_to(user.email) if "/recover/password/" in m.body]
    assert messages, "no reset e-mail in the outbox"
    return reset_link_in(messages[0]).group(3)


@pytest.fixture
def request_reset(client):
    def go(user_or_name, **extra):
        name = getattr(user_or_name, "username", user_or_name)
        return client.post("/recover/password/", {"username": name}, **extra)

    return go


@pytest.fixture
def reset_path(request_reset):
    """Ask for a reset link for ``user``; returns the link's path from the outbox."""

    def go(user):
        response = request_reset(user)
        assert response.status_code == 200
        return newest_reset_path(user)

    return go
