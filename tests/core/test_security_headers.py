"""Every response carries the security headers; production turns on HSTS and secure cookies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse

from tests.core.pages import REFERENCE_RE

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response: HttpResponse) -> None:
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer",
                                           "strict-origin-when-cross-origin"}
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert REFERENCE_RE.fullmatch(response["X-Request-Reference"])


@pytest.fixture
def pages(client, tenant, hr_user, password):
    client.raise_request_exception = False
    return {
        "login page": client.get("/accounts/login/"),
        "FAQ": client.get("/help/faq/"),
        "404": client.get("/no-such-page/"),
        "SMS page without login (redirect)": client.get("/accounts/verify/sms/"),
        "POST with wrong password": client.post("/accounts/login/", {
            "username": hr_user.username, "password": password + "x"}),
        "POST with right password": client.post("/accounts/login/", {
            "username": hr_user.username, "password": password}),
        "SMS page": client.get("/accounts/verify/sms/"),
    }


def test_every_page_carries_the_security_headers(pages):
    assert pages["SMS page without login (redirect)"].status_code == 302
    assert pages["404"].status_code == 404
    assert pages["SMS page"].status_code == 200
    for name, response in pages.items():
        try:
            assert_security_headers(response)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_static_files_are_cacheable_and_typed(client, tenant):
    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.get("Cache-Control", "")


# --- Production settings --------------------------------------------------------------------

PRODUCTION_NAMES = [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "DEFAULT_TENANT_SLUG",
    "COOKIE_PREFIX", "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_NAME",
    "LANGUAGE_COOKIE_SECURE",
]


@pytest.fixture(scope="module")
def production_settings() -> dict[str, object]:
    """The settings module's values as a production process computes them."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VERZUIM_", "DJANGO_"))}
    env.update(VERZUIM_ENVIRONMENT="production", DJANGO_SECRET_KEY="x" * 64,
               DJANGO_SETTINGS_MODULE="verzuim.settings", VERZUIM_VAR_DIR=str(ROOT / "var"))
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {PRODUCTION_NAMES!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def test_production_settings_turn_on_hsts_and_secure_cookies(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True and s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert s["CSRF_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert s["DEFAULT_TENANT_SLUG"] == ""  # no fallback portal in production


def test_production_responses_carry_hsts_and_cookie_flags(
    production_settings, settings, client, tenant, hr_user, password
):
    for name in PRODUCTION_NAMES:
        setattr(settings, name, production_settings[name])
    settings.ENVIRONMENT = "production"

    plain_http = client.get("/accounts/login/")
    assert plain_http.status_code == 301
    assert plain_http["Location"] == "https://testserver/accounts/login/"

    page = client.get("/accounts/login/", secure=True)
    assert page.status_code == 200
    hsts = page["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert_security_headers(page)

    # The password step starts a session: both cookies go out Secure, HttpOnly, SameSite.
    response = client.post("/accounts/login/", {"username": hr_user.username,
                                                "password": password}, secure=True)
    assert response.status_code == 302
    for cookie_name in ("__Host-verzuim_session", "__Host-csrftoken"):
        cookie = client.cookies[cookie_name]
        assert cookie["secure"] is True, cookie_name
        assert cookie["httponly"] is True, cookie_name
        assert cookie["samesite"] in {"Lax", "Strict"}, cookie_name
        # __Host-: the browser drops it unless Secure, Path=/ and no Domain (ASVS 3.3.3).
        assert cookie["path"] == "/" and not cookie["domain"], cookie_name
    language = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, secure=True
    ).cookies["__Host-django_language"]
    assert language["secure"] is True and language["path"] == "/" and not language["domain"]


@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/static/css/portal.css", "/healthz"])
def test_trace_is_refused_everywhere(client, tenant, method, path):
    response = client.generic(method, path, HTTP_X_ECHO="secret-cookie-value")
    assert response.status_code == 405
    assert b"secret-cookie-value" not in response.content
