"""Helpers for the replay and session attack tests: racing real requests, replaying cookies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.test import Client

T = TypeVar("T")

LOGIN_PATH = "/accounts/login/"


def race(attempts: list[Callable[[], T]], *, timeout: float = 60) -> list[T]:
    """Run every attempt in its own thread, released at the same moment by a barrier.

    Each thread has its own database connection (Django's connections are per thread), so
    on PostgreSQL the requests are real concurrent transactions. Returns the results in the
    order of ``attempts``; an exception in any thread is raised here.
    """
    barrier = threading.Barrier(len(attempts), timeout=timeout)
    results: list[Any] = [None] * len(attempts)
    errors: list[BaseException] = []

    def run(index: int, attempt: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results[index] = attempt()
        except BaseException as exc:  # noqa: BLE001 - reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, attempt)) for i, attempt in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing request hung"
    if errors:
        raise errors[0]
    return results


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with_cookie(value: str) -> Client:
    """A fresh browser that presents a copied (stolen, replayed) session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = value
    return other


def fresh_login(client: Client, user: Any) -> Client:
    """Log in quickly with a just-checked second factor (the login itself is tested elsewhere).

    Like tests/absence/case_world.login, plus ``mfa_at`` so changes need no re-authentication.
    """
    client.force_login(user)
    session = client.session
    session["auth_at"] = session["seen_at"] = session["mfa_at"] = time.time()
    session["mfa_method"] = "sms"
    session.save()
    return client


def sends_to_login(response: Any) -> bool:
    """The answer an anonymous visitor gets for a page behind the login."""
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)


def is_logged_in(client: Client) -> bool:
    """Whether the portal treats this browser as logged in (the home page opens)."""
    return client.get("/").status_code == 200
