"""Open redirects through ``next`` and the other redirect parameters (ASVS 3.7.2 / 15.x).

Which views read a redirect target is found in the source (``NEXT_READERS``): a guard fails
when a new view reads ``next`` (or a Referer for a redirect) and is not listed here. Each one
gets the corpus of hostile values below; after each, the place the browser goes (Location,
the JSON ``redirect`` of the key ceremony, or the rendered cancel link and hidden field that
the next request sends back) must be a path on this portal's own host.

Another tenant's host is refused too: ``safe_next`` allows only the host of the request
(``request.get_host()``), and a portal must not hand its logged-in users to another portal.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.test import Client

from tests.absence.case_world import login
from tests.conftest import confirm_password, last_sms_code
from tests.factories import PASSWORD
from tests.mfa.webauthn.conftest import ORIGIN
from tests.mfa.webauthn.soft_key import SoftKey
from tests.security.url_walk import fresh
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn.models import WebAuthnCredential

ROOT = Path(__file__).resolve().parents[2]
HOST = "testserver"

HOSTILE = [
    "https://evil.example",
    "https://evil.example/accounts/login/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "http://testserver@evil.example",
    "http://evil.example\\@testserver/",
    " //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "／／evil.example",
    "/／evil.example",
    "data:text/html,<script>alert(1)</script>",
    "https://testserver.evil.example",
    "https://evil.example#@testserver",
    "http://andere.verzuim.test/accounts/login/",  # another tenant's portal
    "//andere.verzuim.test/",
]

# --- which views read a redirect target -----------------------------------------------------

#: Source files that read a redirect target from the request, and the test below that covers
#: each. (``safe_next`` itself is in accounts/views.py; every caller must be listed.)
NEXT_READERS = {
    "verzuim/accounts/views.py": "login (and safe_next)",
    "verzuim/accounts/admin_site.py": "the admin's login, which hands next to the login page",
    "verzuim/mfa/reauth_views.py": "re-authentication",
    "verzuim/mfa/totp/views.py": "adding an authenticator app",
    "verzuim/mfa/webauthn/views.py": "adding a key; key re-authentication",
    "verzuim/help/support_views.py": "the contact form's 'from' page (shown, never redirected)",
    "verzuim/help/queries.py": "local_path/referer_path for the contact form",
}
#: Third-party views in the URLconf that redirect to a parameter.
THIRD_PARTY_READERS = {"django.views.i18n.set_language": "language choice: next and Referer"}

READS_TARGET = re.compile(
    r"""\.(GET|POST)\.get\(\s*["'](next|from|return_to|redirect|url|back)["']"""
    r"""|safe_next\(|HTTP_REFERER|url_has_allowed_host_and_scheme"""
)


def test_every_view_that_reads_a_redirect_target_is_covered_here():
    readers = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "verzuim").rglob("*.py")
        if "migrations" not in path.parts and READS_TARGET.search(path.read_text())
    }
    assert readers == set(NEXT_READERS), (readers - set(NEXT_READERS),
                                          set(NEXT_READERS) - readers)
    from tests.security.url_walk import routes

    callbacks = {f"{r.callback.__module__}.{r.callback.__name__}" for r in routes()}
    assert set(THIRD_PARTY_READERS) <= callbacks


# --- what "stays on this portal" means --------------------------------------------------------


def browser_target(location: str) -> tuple[str, str, str]:
    """Where a browser goes for ``location`` on https://testserver/somewhere/: the URL
    parser drops tabs and newlines, trims spaces and control characters, and reads a
    backslash as a slash (WHATWG URL)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip(" \x00-\x1f")
    cleaned = cleaned.replace("\\", "/")
    parts = urlsplit(urljoin(f"https://{HOST}/somewhere/", cleaned))
    return parts.scheme, parts.netloc, parts.path


def assert_local(location: str, value: str) -> None:
    scheme, netloc, path = browser_target(location)
    assert scheme in {"http", "https"} and netloc == HOST, (value, location)
    assert not location.startswith("//") and "evil" not in urlsplit(location).netloc
    assert path.startswith("/"), (value, location)


def test_the_local_check_refuses_what_a_browser_would_follow_elsewhere():
    for value in ("https://evil.example", "//evil.example", "/\\evil.example", " //evil.example",
                  "/\t/evil.example", "javascript:alert(1)", "data:text/html,x",
                  "http://andere.verzuim.test/"):
        with pytest.raises(AssertionError):
            assert_local(value, value)
    assert_local("/settings/security/", "/settings/security/")


# --- the readers, each with every hostile value ------------------------------------------------


@pytest.fixture
def cheap(settings, hr_user):
    """A cheap hasher and room for many SMS logins (the caps are tested in mfa)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_MAX_PER_USER_PER_HOUR = 1000
    settings.SMS_MAX_PER_USER_PER_DAY = 1000
    hr_user.set_password(PASSWORD)
    hr_user.save(update_fields=["password"])
    return hr_user


def logged_in(user) -> Client:
    """Logged in with a fresh second factor (the login itself is tested above and in mfa)."""
    client = Client()
    login(client, type(user)._default_manager.get(pk=user.pk))
    return fresh(client)


@pytest.mark.parametrize("value", HOSTILE)
def test_login_never_sends_the_user_off_the_portal(cheap, value):
    client = Client()
    page = client.get("/accounts/login/", {"next": value})
    for hidden in re.findall(r'name="next" value="([^"]*)"', page.content.decode()):
        assert_local(html.unescape(hidden), value)
    first = client.post(f"/accounts/login/?next={value}",
                        {"username": cheap.username, "password": PASSWORD, "next": value})
    assert_local(first["Location"], value)
    final = client.post("/accounts/verify/sms/", {"code": last_sms_code(cheap.phone)})
    assert final.status_code == 302
    assert_local(final["Location"], value)
    # Already logged in, the login page redirects at once: the same rule.
    assert_local(client.get("/accounts/login/", {"next": value})["Location"], value)


def test_admin_login_hands_next_to_the_portal_login_only(cheap):
    client = Client()
    for value in HOSTILE:
        response = client.get("/beheer/login/", {"next": value})
        assert response.status_code == 302
        assert_local(response["Location"], value)
        assert response["Location"].startswith("/accounts/login/?")


def test_reauthentication_never_sends_the_user_off_the_portal(cheap):
    client = logged_in(cheap)
    codes = []
    for value in HOSTILE:
        if not codes:
            codes = list(generate_backup_codes(cheap))
            client = logged_in(cheap)  # new codes end the other sessions of the user
        page = client.get("/accounts/verify/again/", {"next": value}).content.decode()
        for hidden in re.findall(r'name="next" value="([^"]*)"', page):
            assert_local(html.unescape(hidden), value)
        confirm_password(client, PASSWORD, next_url=value)
        response = client.post(f"/accounts/verify/again/?next={value}",
                               {"action": "backup", "backup-code": codes.pop(), "next": value})
        assert response.status_code == 302, (value, response.content[:300])
        assert_local(response["Location"], value)


def test_adding_an_authenticator_app_never_sends_the_user_off_the_portal(cheap):
    import pyotp

    client = logged_in(cheap)
    for value in HOSTILE:
        page = client.get("/accounts/verify/app/add/", {"next": value}).content.decode()
        links = re.findall(r'name="next" value="([^"]*)"', page)
        links += re.findall(r'<a href="([^"]*)">Cancel</a>', page)
        assert links, value
        for link in links:
            assert_local(html.unescape(link), value)
        device = TotpDevice.objects.filter(user=cheap, confirmed_at__isnull=True).latest("pk")
        response = client.post("/accounts/verify/app/add/", {
            "code": pyotp.TOTP(device.secret).now(), "name": "Phone", "next": value})
        assert response.status_code == 302, (value, response.content[:300])
        assert_local(response["Location"], value)
        TotpDevice.objects.filter(pk=device.pk).delete()  # room for the next one
        client = logged_in(cheap)  # adding a factor ends the other sessions


def test_adding_a_key_never_sends_the_user_off_the_portal(cheap):
    client = logged_in(cheap)
    for value in HOSTILE:
        page = client.get("/accounts/verify/key/add/", {"next": value}).content.decode()
        urls = re.findall(r'data-(?:options|verify)-url="([^"]*)"', page)
        urls += re.findall(r'<a href="([^"]*)">Cancel</a>', page)
        assert len(urls) == 3, value
        for url in urls:
            url = html.unescape(url)
            assert_local(url, value)
            for inner in re.findall(r"next=([^&]*)", url):
                assert_local(unquote(inner), value)
        # The ceremony itself, with the hostile next on its endpoints.
        options = client.post(f"/accounts/verify/key/add/options/?next={value}", "{}",
                              content_type="application/json")
        assert options.status_code == 200, (value, options.content)
        key = SoftKey()
        reply = client.post(
            f"/accounts/verify/key/add/verify/?next={value}",
            json.dumps({"name": "Key", "credential": key.register(options.json(), ORIGIN)}),
            content_type="application/json",
        )
        assert reply.status_code == 200, (value, reply.content)
        assert_local(reply.json()["redirect"], value)
        WebAuthnCredential.objects.filter(user=cheap).delete()  # room for the next one
        client = logged_in(cheap)  # adding a factor ends the other sessions


@pytest.mark.parametrize("via", ["next", "referer"])
def test_language_choice_never_sends_the_user_off_the_portal(tenant, via):
    client = Client()
    for value in HOSTILE:
        if via == "next":
            response = client.post("/i18n/setlang/", {"language": "en", "next": value})
        else:
            response = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER=value)
        assert response.status_code == 302, value
        assert_local(response["Location"], value)


@pytest.mark.parametrize("path", ["/%2F%2Fevil.example", "/%2F%2Fevil.example/",
                                  "/%5C%5Cevil.example", "//evil.example/"])
def test_a_kept_encoded_double_slash_path_leads_nowhere_else(client, tenant, path):
    """A next like /%2F%2Fevil.example is a path on this host (the browser keeps the %2F);
    following it, the portal answers here too: no page, and no redirect off the portal."""
    response = client.get(path)
    assert response.status_code in {301, 302, 404}, response.status_code
    if response.status_code != 404:
        assert_local(response["Location"], path)


def test_a_local_next_is_still_followed(cheap):
    """The checks above are not a blanket refusal: a path on the portal is kept."""
    client = Client()
    client.post("/accounts/login/", {"username": cheap.username, "password": PASSWORD,
                                     "next": "/help/faq/"})
    final = client.post("/accounts/verify/sms/", {"code": last_sms_code(cheap.phone)})
    assert final["Location"] == "/help/faq/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/help/"})
    assert response["Location"] == "/help/"
