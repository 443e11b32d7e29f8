"""Context words and breached passwords are refused (ASVS V6.1.2, V6.2.11, V6.2.12)."""

from __future__ import annotations

import hashlib
import http.server
import threading

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from verzuim.accounts.password_rules import CONTEXT_WORDS, breach_count

BREACHED = "Zomerzon!2024"
_digest = hashlib.sha1(BREACHED.encode(), usedforsecurity=False).hexdigest().upper()


class _RangeService(http.server.BaseHTTPRequestHandler):
    """A local stand-in for the range service: answers suffixes for one prefix."""

    asked: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802
        type(self).asked.append((self.path, self.headers.get("Add-Padding", "")))
        prefix = self.path.rsplit("/", 1)[-1]
        lines = ["0000000000000000000000000000000000A:0"]  # padding lines count 0
        if prefix == _digest[:5]:
            lines.append(f"{_digest[5:]}:4711")
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_service(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _RangeService.asked = []
    settings.BREACHED_PASSWORDS_URL = f"http://127.0.0.1:{server.server_port}/range/"
    yield _RangeService
    server.shutdown()


def _refused(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as refused:
        return [error.code for error in refused.error_list]
    return []


def test_a_breached_password_is_refused_and_only_a_hash_prefix_leaves(range_service):
    assert "password_breached" in _refused(BREACHED)
    path, padding = range_service.asked[-1]
    assert path == f"/range/{_digest[:5]}" and padding == "true"
    assert BREACHED not in path and _digest not in path


def test_a_password_not_in_the_collection_passes(range_service):
    assert _refused("Kwispelende-Tafelpoot-93") == []
    assert breach_count("Kwispelende-Tafelpoot-93") == 0


def test_an_unreachable_service_skips_the_check_without_blocking(settings, caplog):
    settings.BREACHED_PASSWORDS_URL = "http://127.0.0.1:9/range/"  # nothing listens there
    settings.BREACHED_PASSWORDS_TIMEOUT = 1
    assert breach_count(BREACHED) is None
    assert "password_breached" not in _refused(BREACHED)
    assert "Breached-password check skipped" in caplog.text
    assert BREACHED not in caplog.text


def test_the_check_is_off_without_a_url(settings):
    settings.BREACHED_PASSWORDS_URL = ""
    assert breach_count(BREACHED) is None


@pytest.mark.parametrize("password", [
    "Verzuimportaal2026!", "verzuim-portaal", "P00rtwachter#1", "Ziekmelding123",
    "Bedrijfsarts!!", "WachtWoord2026",
])
def test_passwords_built_around_a_context_word_are_refused(password):
    assert "password_context_word" in _refused(password)


def test_the_organisation_name_and_host_are_context_words(tenant, hr_user):
    tenant.name = "Zorgkompas Noord B.V."
    tenant.save()
    hr_user.refresh_from_db()
    word = "Zorgkompas"
    assert "password_context_word" in _refused(f"{word}2026!", hr_user)
    assert "password_context_word" not in _refused(f"{word}2026!")  # no user, no organisation


@pytest.mark.parametrize("password", [
    "mijn fiets staat altijd bij het portaal",  # a context word inside a long passphrase
    "Kwispelende-Tafelpoot-93",
])
def test_long_passwords_that_merely_contain_a_word_are_accepted(password):
    assert "password_context_word" not in _refused(password)


def test_the_documented_list_is_the_one_applied():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs/security/asvs-l2.md").read_text()
    for word in CONTEXT_WORDS:
        assert f"`{word}`" in doc, word


def test_activation_refuses_a_breached_password_with_a_clear_message(range_service, hr_user):
    from verzuim.accounts.activation.forms import InitialPasswordForm

    form = InitialPasswordForm(hr_user, {"new_password1": BREACHED, "new_password2": BREACHED})
    assert not form.is_valid()
    assert "stolen from other websites" in str(form.errors)
