"""Dutch is the default interface, and the Dutch catalogue covers every text."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
NL_PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_dutch_catalogue_is_complete():
    catalogue = polib.pofile(str(NL_PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(NL_PO)).translated_entries():
        for placeholder in ("%(", "{{", "{%"):
            assert (
                entry.msgid.count(placeholder) == entry.msgstr.count(placeholder)
                or entry.msgid_plural
            ), entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_contains_every_text_in_the_source(tmp_path):
    """Extract the texts afresh in a copy of the tree; none may be missing from the catalogue."""
    for name in ("verzuim", "templates", "locale"):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "VERZUIM_ENVIRONMENT": "test",
            "DJANGO_SETTINGS_MODULE": "verzuim.settings",
            "PYTHONPATH": str(tmp_path),
        },
    )
    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "locale/nl/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(NL_PO)) if not e.obsolete}
    missing = sorted(fresh - committed)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"


@pytest.mark.django_db
def test_pages_are_dutch_by_default(client, tenant, settings):
    settings.LANGUAGE_CODE = "nl"
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="nl"' in body
    assert "Loginnaam" in body and "Wachtwoord" in body and "Inloggen" in body


@pytest.mark.django_db
def test_english_is_available(client, tenant, settings):
    settings.LANGUAGE_CODE = "nl"
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Login name" in body and "Password" in body
