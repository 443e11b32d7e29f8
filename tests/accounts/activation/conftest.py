from __future__ import annotations

import re

import pytest

from verzuim.accounts.actions import create_user
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

MIDDLEWARE = "verzuim.accounts.activation.middleware.ActivationMiddleware"
LINK_RE = re.compile(r"(https?)://([^/\s]+)(/activate/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "Mijn eerste eigen wachtwoord"


def invitation_emails(address: str) -> list[OutboxMessage]:
    """The activation e-mails delivered to ``address``, newest first."""
    deliver_due()
    return list(
        OutboxMessage.objects.filter(
            channel="email", to=address, body__contains="/activate/"
        ).order_by("-created", "-id")
    )


def link_in(message: OutboxMessage) -> re.Match[str]:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match


def newest_link_path(user) -> str:
    """The path of the link in the newest invitation to ``user`` (read from the outbox)."""
    messages = invitation_emails(user.email)
    assert messages, "no invitation in the outbox"
    return link_in(messages[0]).group(3)


@pytest.fixture
def activation_middleware(settings):
    """The middleware as it will sit in settings.MIDDLEWARE: after SessionTimeoutMiddleware."""
    middleware = list(settings.MIDDLEWARE)
    position = middleware.index("verzuim.accounts.middleware.SessionTimeoutMiddleware") + 1
    if MIDDLEWARE not in middleware:
        middleware.insert(position, MIDDLEWARE)
    settings.MIDDLEWARE = middleware


@pytest.fixture
def invited_user(tenant):
    """A new account as support creates it: no password, an invitation in the outbox."""
    return create_user(
        tenant=tenant,
        username="nina.nieuw",
        email="nina@werkgever.example",
        phone="+31612345670",
        roles=["employer_hr"],
        first_name="Nina",
        last_name="Nieuw",
    )


@pytest.fixture
def open_link(client, invited_user):
    """Open the newest invitation link; returns the response (not followed)."""

    def open_(path: str | None = None):
        return client.get(path or newest_link_path(invited_user))

    return open_


@pytest.fixture
def at_phone_step(client, open_link):
    """Link opened and password chosen: the user is on step 2 and an SMS was sent."""

    def go():
        assert open_link().status_code == 302
        response = client.post(
            "/activate/password/",
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == "/activate/phone/"
        return response

    return go


@pytest.fixture
def logged_in_activation(client, at_phone_step, invited_user, sms_code):
    """Steps 1 and 2 done: logged in, on step 3."""

    def go():
        at_phone_step()
        response = client.post("/activate/phone/", {"code": sms_code(invited_user.phone)})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == "/activate/extra/"
        return response

    return go
