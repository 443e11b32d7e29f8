"""The development outbox: `manage.py outbox` and the /dev/outbox/ page."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import RequestFactory, override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import verzuim.urls
from verzuim.messaging import views
from verzuim.messaging.actions import queue_email, queue_sms
from verzuim.messaging.delivery import deliver_due

pytestmark = pytest.mark.django_db

OUTBOX_EMAIL = "verzuim.messaging.backends.outbox.OutboxEmailBackend"
OUTBOX_SMS = "verzuim.messaging.backends.outbox.OutboxSmsBackend"


@pytest.fixture
def outbox(settings, tenant, hr_user) -> None:
    """Three messages delivered to the development outbox: e-mail, then two SMS."""
    settings.MESSAGING_EMAIL_BACKEND, settings.SMS_BACKEND = OUTBOX_EMAIL, OUTBOX_SMS
    queue_email(
        tenant=tenant,
        to=hr_user.email,
        template="account_created",
        context={"user": hr_user},
        language="en",
    )
    deliver_due()
    for body in ("Uw code is 111111", "Uw code is 222222"):
        queue_sms(tenant=tenant, to="+31612345678", body=body)
        deliver_due()


def run_outbox(*args: str) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_json_lines_newest_first(outbox, hr_user):
    lines = [json.loads(line) for line in run_outbox("--json").splitlines()]

    assert [line["body"] for line in lines[:2]] == ["Uw code is 222222", "Uw code is 111111"]
    assert all(set(line) == {"to", "channel", "subject", "body", "created"} for line in lines)
    email = lines[2]
    assert (email["channel"], email["to"]) == ("email", hr_user.email)
    assert email["subject"] == "Your account at Arbodienst Demo"
    assert datetime.fromisoformat(email["created"]).tzinfo is not None


def test_last_limits_the_listing(outbox):
    lines = run_outbox("--json", "--last", "1").splitlines()

    assert [json.loads(line)["body"] for line in lines] == ["Uw code is 222222"]


def test_readable_listing(outbox, hr_user):
    text = run_outbox("--last", "2")

    assert "Uw code is 222222" in text and "Uw code is 111111" in text
    assert text.index("222222") < text.index("111111")
    assert "to +31612345678  from Verzuim" in text
    assert hr_user.email not in text  # the e-mail is the third message


def test_empty_outbox(db):
    assert run_outbox().strip() == "The outbox is empty."
    assert run_outbox("--json") == ""


def test_last_must_be_positive(db):
    with pytest.raises(CommandError):
        call_command("outbox", "--last", "0")


@contextmanager
def dev_pages(enabled: bool) -> Iterator[None]:
    """Rebuild the URLconf as it would be at start-up with DEV_PAGES_ENABLED = enabled."""
    try:
        with override_settings(DEV_PAGES_ENABLED=enabled):
            importlib.reload(verzuim.urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(verzuim.urls)
        clear_url_caches()


def test_page_shows_the_messages_in_development(client, outbox):
    with dev_pages(True):
        response = client.get("/dev/outbox/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Uw code is 222222" in page and "+31612345678" in page
    assert page.index("222222") < page.index("111111")


def test_page_is_not_routed_outside_development(client, outbox):
    with dev_pages(False):
        with pytest.raises(Resolver404):
            resolve("/dev/outbox/")
        assert client.get("/dev/outbox/").status_code == 404


@override_settings(DEV_PAGES_ENABLED=False)
def test_view_refuses_outside_development_even_when_routed(outbox):
    with pytest.raises(Http404):
        views.outbox(RequestFactory().get("/dev/outbox/"))
