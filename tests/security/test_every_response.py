"""Security headers and cookie flags on every response of every URL pattern (ASVS 3.4, 3.3).

The walk (tests/security/url_walk.py) requests every pattern of the URLconf, generated from
the resolver: as an anonymous visitor (GET), as a user of the role that may use it (GET and
POST with a plausible body), plus the error pages (400, 403, 404, 405, CSRF failure, 500),
TRACE, the health check and the static files. Every response must carry:

* Content-Security-Policy without 'unsafe-inline'/'unsafe-eval' for scripts, with
  frame-ancestors 'none' (or X-Frame-Options DENY);
* X-Content-Type-Options: nosniff, a Referrer-Policy that keeps paths on this site,
  Cross-Origin-Opener-Policy: same-origin;
* Cache-Control: no-store on every page except the public static files (the project sends it
  on all dynamic responses: any page may hold personal data);
* over HTTPS with the production settings: Strict-Transport-Security, max-age ≥ 1 year.

Every Set-Cookie must be HttpOnly (CSRF_COOKIE_HTTPONLY is on: no script reads the token),
SameSite Lax or Strict, Path=/, without Domain; over HTTPS also Secure and named __Host-.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.cookies import Morsel
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.core.test_security_headers import csp_directives
from tests.core.test_security_headers import production_settings as production_settings
from tests.security import url_walk
from tests.security.url_walk import WalkWorld, full_login
from tests.security.url_walk import walk_world as walk_world

ERRORS_URLCONF = "tests.core.urls_errors"
ONE_YEAR = 31_536_000
STRICT_REFERRER = {"same-origin", "no-referrer", "strict-origin",
                   "strict-origin-when-cross-origin"}
STATIC = "/static/"


# --- what every response must carry -------------------------------------------------------------


def header_problems(response: Any, *, https: bool) -> list[str]:
    """What is missing or weak in the security headers of one response."""
    problems = []
    if "Content-Security-Policy" not in response:
        problems.append("no Content-Security-Policy")
        csp: dict[str, list[str]] = {}
    else:
        csp = csp_directives(response)
        scripts = csp.get("script-src", csp.get("default-src"))
        if scripts is None:
            problems.append("CSP limits no scripts")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(scripts):
            problems.append(f"CSP allows unsafe scripts: {scripts}")
        if csp.get("object-src", csp.get("default-src")) != ["'none'"]:
            problems.append("CSP allows plugins (object-src)")
    if csp.get("frame-ancestors") != ["'none'"] and response.get("X-Frame-Options") != "DENY":
        problems.append("may be framed (no frame-ancestors 'none', no X-Frame-Options DENY)")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in STRICT_REFERRER:
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    coop = response.get("Cross-Origin-Opener-Policy")
    if coop != "same-origin":
        problems.append(f"Cross-Origin-Opener-Policy {coop!r}")
    if not _is_static_file(response) and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r} (no no-store)")
    if https:
        match = re.search(r"max-age=(\d+)", response.get("Strict-Transport-Security", ""))
        if not match or int(match.group(1)) < ONE_YEAR:
            problems.append(f"HSTS {response.get('Strict-Transport-Security')!r}")
    for morsel in response.cookies.values():
        problems += cookie_problems(morsel, https=https)
    return problems


def _is_static_file(response: Any) -> bool:
    """A public static asset as WhiteNoise serves it (cacheable by design)."""
    return response.wsgi_request.path.startswith(STATIC) and response.status_code in {200, 304}


def cookie_problems(morsel: Morsel[str], *, https: bool) -> list[str]:
    name = morsel.key
    deleting = morsel.value == "" and str(morsel["max-age"]) == "0"
    problems = []
    # A deletion carries no value to steal; it only needs what makes the browser accept it.
    if not morsel["httponly"] and not deleting:
        problems.append(f"cookie {name} not HttpOnly")
    if str(morsel["samesite"]).lower() not in {"lax", "strict"}:
        problems.append(f"cookie {name} SameSite={morsel['samesite']!r}")
    if morsel["path"] != "/":
        problems.append(f"cookie {name} Path={morsel['path']!r}")
    if morsel["domain"]:
        problems.append(f"cookie {name} Domain={morsel['domain']!r}")
    if https:
        if not morsel["secure"]:
            problems.append(f"cookie {name} not Secure over HTTPS")
        if not name.startswith("__Host-"):
            problems.append(f"cookie {name} without the __Host- prefix over HTTPS")
    return problems


# --- the walk ----------------------------------------------------------------------------------


def walk(w: WalkWorld, *, https: bool, full: bool) -> Iterator[tuple[str, Any]]:
    """(label, response) for every pattern as the role that may use it (GET), and when
    ``full`` also as anonymous visitor (GET) and the role again (POST, a new browser each:
    some end their session); then the error pages, the health check and the static files."""
    for route in url_walk.routes():
        if route.route in url_walk.EXCLUDED:
            continue
        path = url_walk.path_for(route, w)
        role = url_walk.role_for(route)
        if full:
            anonymous = url_walk.client_for("anonymous", w)
            yield f"GET {path} (anonymous)", anonymous.get(path, secure=https)
        as_role = url_walk.client_for(role, w, secure=https)
        yield f"GET {path} ({role})", as_role.get(path, secure=https)
        if full:
            as_role = url_walk.client_for(role, w, secure=https)
            yield f"POST {path} ({role})", url_walk.post(as_role, route, path, secure=https)
    yield from error_pages(w, https=https)


def error_pages(w: WalkWorld, *, https: bool) -> Iterator[tuple[str, Any]]:
    anonymous = url_walk.client_for("anonymous", w)
    hr = url_walk.client_for("hr", w, secure=https)
    yield "404 unknown path", anonymous.get("/no-such-page/", secure=https)
    yield "404 unknown path, logged in", hr.get("/no-such-page/", secure=https)
    yield "404 static file", anonymous.get("/static/no-such-file.css", secure=https)
    foreign = w.world.employee.pk + 10_000
    yield "404 unknown employee", hr.get(f"/verzuim/medewerkers/{foreign}/", secure=https)
    yield "403 support desk for HR", hr.get("/support/", secure=https)
    yield "405 GET on a POST-only view", hr.get("/accounts/logout/", secure=https)
    yield "400 forged Host", anonymous.get("/accounts/login/", secure=https,
                                           HTTP_HOST="evil.example")
    strict = url_walk.client_for("anonymous", w, enforce_csrf_checks=True)
    yield "403 CSRF failure", strict.post("/accounts/login/", {"username": "x"}, secure=https)
    yield "405 TRACE", anonymous.generic("TRACE", "/accounts/login/", secure=https)
    yield "health check", anonymous.get("/healthz", secure=https)
    yield "static CSS", anonymous.get("/static/css/portal.css", secure=https)
    yield "static script", anonymous.get("/static/js/webauthn.js", secure=https)
    yield "unknown tenant host", anonymous.get("/accounts/login/", secure=https,
                                               HTTP_HOST="nobody.verzuim.test")
    idle = url_walk.client_for("hr", w, secure=https)
    session = idle.session
    session["seen_at"] = 0  # idle far longer than allowed: the timeout middleware answers
    session.save()
    yield "idle session ended", idle.get("/settings/security/", secure=https)
    foreign = url_walk.client_for("foreign", w, secure=https)  # a session of another portal
    yield "session of another tenant", foreign.get("/", secure=https)
    yield "500", hr.get("/test-errors/boom/", secure=https)
    yield "403 PermissionDenied", hr.get("/test-errors/deny/", secure=https)
    yield "400 SuspiciousOperation", hr.get("/test-errors/suspicious/", secure=https)


def check_walk(w: WalkWorld, *, https: bool, full: bool) -> tuple[int, set[int], list[str]]:
    count, statuses, problems = 0, set(), []
    for label, response in walk(w, https=https, full=full):
        count += 1
        statuses.add(response.status_code)
        problems += [f"{label} → {response.status_code}: {p}"
                     for p in header_problems(response, https=https)]
    return count, statuses, problems


def assert_walk_clean(w: WalkWorld, *, https: bool, full: bool) -> None:
    count, statuses, problems = check_walk(w, https=https, full=full)
    print(f"\n{count} responses checked ({'https' if https else 'http'}), "
          f"statuses {sorted(statuses)}")
    # The walk reached pages, redirects and every kind of error page, so the check above
    # was not made on a narrow set of responses.
    assert {200, 302, 400, 403, 404, 405, 500} <= statuses, sorted(statuses)
    assert count >= (3 if full else 1) * len(url_walk.routes()), count
    assert not problems, "\n".join(problems)


@pytest.fixture
def production(settings, production_settings):
    """The production values of the security settings, plain-HTTP redirect off: the tests
    request over HTTPS themselves (secure=True), as the TLS proxy would."""
    for name, value in production_settings.items():
        setattr(settings, name, value)
    settings.ENVIRONMENT = "production"
    settings.SECURE_SSL_REDIRECT = False
    return settings


@pytest.mark.urls(ERRORS_URLCONF)
def test_every_error_page_over_plain_http_carries_the_security_headers(walk_world):
    """The test settings (plain HTTP, no prefix): the error pages and middleware answers.
    Every pattern's GET over plain HTTP is checked by test_csrf_everywhere's GET walk."""
    problems, statuses = [], set()
    for label, response in error_pages(walk_world, https=False):
        statuses.add(response.status_code)
        problems += [f"{label} → {response.status_code}: {p}"
                     for p in header_problems(response, https=False)]
    assert {200, 302, 400, 403, 404, 405, 500} <= statuses, sorted(statuses)
    assert not problems, "\n".join(problems)


@pytest.mark.urls(ERRORS_URLCONF)
def test_every_response_over_https_also_carries_hsts_and_only_host_prefixed_secure_cookies(
    production, walk_world
):
    assert production.SESSION_COOKIE_NAME.startswith("__Host-")
    assert_walk_clean(walk_world, https=True, full=True)


# --- the cookies of the login flows ---------------------------------------------------------------


def login_flow_cookies(w: WalkWorld, *, https: bool) -> dict[str, list[Morsel[str]]]:
    """Every cookie set while logging in with password and SMS code (trusting the browser),
    logging in again on the trusted browser, choosing a language and logging out."""
    tenant = w.users["hr"].tenant
    tenant.trusted_device_days = 30
    tenant.save()
    client = Client()
    client.defaults["wsgi.url_scheme"] = "https" if https else "http"
    seen: dict[str, list[Morsel[str]]] = {}

    def note(*responses: Any) -> None:
        for response in responses:
            for morsel in response.cookies.values():
                seen.setdefault(morsel.key, []).append(morsel)

    original_post = client.post

    def post(path: str, data: Any = None, **extra: Any) -> Any:
        response = original_post(path, data, secure=https, **extra)
        note(response)
        return response

    client.post = post  # type: ignore[method-assign]
    note(client.get("/accounts/login/", secure=https))
    full_login(client, w.users["hr"], trust=True)
    note(client.get("/settings/security/", secure=https))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/accounts/logout/")
    again = client.post("/accounts/login/", {"username": w.users["hr"].username,
                                             "password": url_walk.PASSWORD})
    assert again["Location"] == "/"  # the trusted browser skipped the SMS step
    client.post("/accounts/logout/")
    return seen


def assert_login_cookies_clean(w: WalkWorld, *, https: bool) -> None:
    seen = login_flow_cookies(w, https=https)
    prefix = "__Host-" if https else ""
    expected = {django_settings.SESSION_COOKIE_NAME, django_settings.CSRF_COOKIE_NAME,
                django_settings.LANGUAGE_COOKIE_NAME, f"{prefix}verzuim_device",
                f"{prefix}verzuim_trusted"}
    assert expected <= set(seen), sorted(seen)  # each flow really set its cookie
    problems = [p for morsels in seen.values() for m in morsels
                for p in cookie_problems(m, https=https)]
    assert not problems, "\n".join(problems)


def test_login_trust_language_and_logout_cookies_are_httponly_samesite_and_host_only(
    walk_world,
):
    assert_login_cookies_clean(walk_world, https=False)


def test_over_https_every_login_flow_cookie_is_secure_and_host_prefixed(production, walk_world):
    assert_login_cookies_clean(walk_world, https=True)


def test_the_checks_catch_a_missing_header_and_a_weak_cookie(walk_world):
    """The checks above are not blind: a response without headers and a loose cookie fail."""
    from django.http import HttpResponse

    response = HttpResponse("x")
    response.wsgi_request = Client().get("/healthz").wsgi_request  # type: ignore[attr-defined]
    response.set_cookie("loose", "1", domain="example.org", path="/x", samesite="None")
    problems = " | ".join(header_problems(response, https=True))
    for expected in ("Content-Security-Policy", "framed", "nosniff", "Referrer-Policy",
                     "Cross-Origin-Opener-Policy", "no-store", "HSTS", "not HttpOnly",
                     "SameSite", "Path", "Domain", "not Secure", "__Host-"):
        assert expected in problems, expected


def test_every_url_pattern_is_walked_or_excluded_with_a_reason(walk_world):
    """The guard of the generated walk: a new pattern with path parameters fails here until
    url_walk.ARGS says how to fill them in (or EXCLUDED says why it is not requested)."""
    assert len(url_walk.routes()) >= 150
    assert not url_walk.unplanned(walk_world)
    assert not url_walk.stale_entries()
    assert all(reason.strip() for reason in url_walk.EXCLUDED.values())
