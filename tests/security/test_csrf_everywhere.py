"""CSRF on every state-changing request, and no state change by GET (ASVS 3.5.1, 3.5.3).

Generated over every URL pattern (tests/security/url_walk.py), not a chosen few: a browser
logged in with the role that may use the pattern, CSRF checks on as in a real browser, with
its own CSRF cookie from a page it opened, posts the pattern's plausible body

* without a token, and
* with a valid token of a DIFFERENT session (another browser's page);

both must get the CSRF failure page (403) and leave every table as it was (except the one
ErrorReport row the failure page writes for support). The same post WITH the browser's own
token is not refused as CSRF — so the refusal above is the CSRF check, not some other 403.
The JSON endpoints of the security-key ceremony are among the patterns.

GET never changes data: every pattern requested with GET leaves every table's row count as
it was, except the audit log and the error reports (see ``GET_MAY_ADD``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from tests.core.pages import shown
from tests.security import url_walk
from tests.security.url_walk import WalkWorld, changed, csrf_token_of, row_counts
from tests.security.url_walk import walk_world as walk_world
from verzuim.accounts.models import UserSession
from verzuim.mfa.totp.models import TotpDevice

CSRF_PAGE = "The page had expired"

#: Tables a GET may add rows to, with the reason; the check says which rows.
GET_MAY_ADD: dict[str, tuple[str, Callable[[], bool]]] = {
    # Reading personal data is itself recorded (who looked at which case, document, export or
    # support view): a read audit, not a change of the data.
    "audit.AuditEvent": ("read audits of case pages, documents, exports and support views",
                         lambda: True),
    # An error page (403/404/...) is stored with its reference code for the support desk.
    "core.ErrorReport": ("error pages are kept for the support desk under their reference",
                         lambda: True),
    # An activation or reset link moves its token into a new (anonymous) session and
    # redirects to a URL without it, as Django's own reset view does; nobody is logged in.
    "accounts.UserSession": ("a mailed link keeps its checked token in a new session",
                             lambda: not UserSession.objects.filter(
                                 user__isnull=False, session_key__in=_new_sessions()).exists()),
    # The "add an authenticator app" page shows a new secret, so it stores it: unconfirmed,
    # it logs nobody in until a code from the app confirms it (tests/mfa/totp).
    "mfa.TotpDevice": ("the add-app page stores the secret it shows, unconfirmed",
                       lambda: not TotpDevice.objects.filter(
                           pk__gt=_last_pk[0], confirmed_at__isnull=False).exists()),
}
_last_pk = [0]
_sessions_before: list[set[str]] = [set()]


def _new_sessions() -> set[str]:
    return set(UserSession.objects.values_list("session_key", flat=True)) - _sessions_before[0]


def is_csrf_page(response: Any) -> bool:
    return response.status_code == 403 and shown(CSRF_PAGE) in response.content.decode()


def test_no_view_is_exempt_from_csrf_checks():
    exempt = [r.route for r in url_walk.routes() if getattr(r.callback, "csrf_exempt", False)]
    assert not exempt


def test_every_url_refuses_a_post_without_a_token_or_with_another_sessions_token(walk_world):
    w: WalkWorld = walk_world
    attacker = Client(enforce_csrf_checks=True)
    foreign_token = csrf_token_of(attacker)  # valid, but for the attacker's own cookie
    problems: list[str] = []
    accepts_post = 0
    routes = [r for r in url_walk.routes() if r.route not in url_walk.EXCLUDED]
    for route in routes:
        path = url_walk.path_for(route, w)
        role = url_walk.role_for(route)
        victim = url_walk.client_for(role, w, enforce_csrf_checks=True)
        own_token = csrf_cookie(victim)  # the browser has its CSRF cookie, like a real one
        if role != "anonymous" and not victim.session.keys():
            problems.append(f"{path}: the {role} browser lost its session before posting")
        for what, extra in (("no token", {}), ("another session's token",
                                                {"HTTP_X_CSRFTOKEN": foreign_token})):
            before = row_counts()
            response = _post(victim, route, path, extra, token=extra.get("HTTP_X_CSRFTOKEN"))
            after = row_counts()
            if not is_csrf_page(response):
                problems.append(f"POST {path} ({role}, {what}) → {response.status_code}")
            diff = changed(before, after)
            error_reports = diff.pop("core.ErrorReport", (0, 1))
            if diff or error_reports[1] - error_reports[0] != 1:
                problems.append(f"POST {path} ({role}, {what}) changed {diff or error_reports}")
        control = _post(victim, route, path, {"HTTP_X_CSRFTOKEN": own_token}, token=own_token)
        if is_csrf_page(control):
            problems.append(f"POST {path} ({role}) with its own token refused as CSRF")
        accepts_post += control.status_code != 405
    print(f"\n{len(routes)} patterns posted to; {accepts_post} accept POST")
    assert accepts_post >= 60, accepts_post  # the state-changing forms were really reached
    assert not problems, "\n".join(problems)


def csrf_cookie(client: Client) -> str:
    """Give the browser a CSRF cookie, as its first page would, and return the token its
    forms would carry (the same calls CsrfViewMiddleware makes, without a page render)."""
    secret = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return _mask_cipher_secret(secret)


def _post(client: Client, route: url_walk.Route, path: str, extra: dict[str, str],
          token: str | None) -> Any:
    """The plausible body; a form carries the token as its field, JSON in the header."""
    if route.route in url_walk.JSON_ROUTES:
        return url_walk.post(client, route, path, **extra)
    if token is None:
        return url_walk.post(client, route, path)
    original = url_walk.BODIES.get(route.route, {})
    url_walk.BODIES[route.route] = {**original, "csrfmiddlewaretoken": token}
    try:
        return url_walk.post(client, route, path)
    finally:
        if original:
            url_walk.BODIES[route.route] = original
        else:
            del url_walk.BODIES[route.route]


def test_no_get_of_any_url_changes_data_and_each_carries_the_security_headers(walk_world):
    """Every pattern, GET as the role that may use it (test settings, plain HTTP): no table
    grows or shrinks (except GET_MAY_ADD), and the response carries the security headers and
    cookie flags of test_every_response (its HTTPS walk covers production settings)."""
    from tests.security.test_every_response import header_problems

    w: WalkWorld = walk_world
    problems = []
    for route in url_walk.routes():
        if route.route in url_walk.EXCLUDED:
            continue
        path = url_walk.path_for(route, w)
        role = url_walk.role_for(route)
        client = url_walk.client_for(role, w)
        before = row_counts()
        _last_pk[0] = TotpDevice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        _sessions_before[0] = set(UserSession.objects.values_list("session_key", flat=True))
        response = client.get(path)
        diff = changed(before, row_counts())
        grown = {k: v for k, v in diff.items()
                 if k not in GET_MAY_ADD or v[1] < v[0] or not GET_MAY_ADD[k][1]()}
        if grown:
            problems.append(f"GET {path} ({role}) → {response.status_code}: {grown}")
        problems += [f"GET {path} ({role}) → {response.status_code}: {p}"
                     for p in header_problems(response, https=False)]
    assert not problems, "\n".join(problems)


def test_the_row_count_check_sees_a_change(walk_world):
    """The check above is not blind: a POST that adds a note shows up in the counts."""
    w: WalkWorld = walk_world
    client = url_walk.client_for("hr", w)
    before = row_counts()
    response = client.post(f"/verzuim/trajecten/{w.world.case.pk}/notities/nieuw/",
                           {"text": "Called", "visibility": "employer"})
    assert response.status_code == 302
    assert "absence.CaseNote" in changed(before, row_counts())
