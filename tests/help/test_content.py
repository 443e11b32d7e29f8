"""The shipped FAQ: all topics in both languages, seeded per tenant, every link resolving."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.factories import TenantFactory
from verzuim.help.models import FaqItem, Manual
from verzuim.help.seed import parse, seed_help, shipped

TOPICS = {
    "vragen-stellen": "where to ask questions",
    "inloggen": "how to log in",
    "sms-app-sleutel": "SMS or app or key",
    "geen-sms": "no SMS received",
    "waarom-telefoonnummer": "why a phone number",
    "telefoon-kwijt": "phone forgotten (backup code)",
    "waarom-2fa": "what two-factor authentication is",
    "inlognaam-vergeten": "login name forgotten",
    "wachtwoord-vergeten": "password forgotten",
    "email-link-werkt-niet": "the e-mail link does not work",
    "nieuw-mobiel-nummer": "mobile number changed",
    "geen-gegevens": "logged in but no data visible",
    "fout-eerste-keer": "error at first login",
    "geblokkeerd": "account blocked",
}
# Anchors other templates link to.
LINKED_ANCHORS = {"inloggen", "geen-sms", "telefoon-kwijt", "geblokkeerd", "waarom-2fa"}
# Built by another developer; checked as soon as they resolve.
PENDING_PATHS = {"/recover/login-name/", "/recover/password/"}
ROLES = {"employer_hr", "manager", "case_manager", "physician", "support"}
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_parse_front_matter():
    meta, body = parse("---\ntitle: A: b\nslug: x\n---\n\nText")
    assert meta == {"title": "A: b", "slug": "x"}
    assert body == "Text"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_shipped_faq_covers_all_topics(language):
    slugs = {t.slug for t in shipped("faq") if t.language == language}
    assert slugs == set(TOPICS)
    assert LINKED_ANCHORS <= slugs


def test_shipped_manuals_cover_each_role():
    for language in ("nl", "en"):
        roles = {r for t in shipped("manuals") if t.language == language for r in t.audience}
        assert roles == ROLES


def test_new_tenant_is_seeded_once(db):
    tenant = TenantFactory(slug="fresh")
    assert FaqItem.objects.filter(tenant=tenant).count() == 2 * len(TOPICS)
    assert Manual.objects.filter(tenant=tenant).count() == 2 * len(ROLES)
    assert set(
        FaqItem.objects.filter(tenant=tenant, language="nl").values_list("slug", flat=True)
    ) == set(TOPICS)
    assert seed_help(tenant) == 0  # idempotent
    assert FaqItem.objects.filter(tenant=tenant).count() == 2 * len(TOPICS)


def test_seeding_keeps_a_tenant_admins_edits(tenant):
    item = FaqItem.objects.get(tenant=tenant, language="nl", slug="inloggen")
    item.body = "Eigen tekst"
    item.save()
    FaqItem.objects.filter(tenant=tenant, language="nl", slug="geen-sms").delete()
    assert seed_help(tenant) == 1
    item.refresh_from_db()
    assert item.body == "Eigen tekst"


def _links():
    for text in (*shipped("faq"), *shipped("manuals")):
        for href in LINK.findall(text.body):
            yield text, href


def test_shipped_links_resolve_to_this_project():
    checked = 0
    for text, href in _links():
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc, f"{text.slug}: external link {href}"
        if parts.path in PENDING_PATHS:
            try:
                resolve(parts.path)
            except Resolver404:
                continue  # PENDING: /recover/ is being built; checked once it resolves
        resolve(parts.path)
        if parts.fragment:
            assert parts.path == "/help/faq/", href
            assert parts.fragment in TOPICS, f"{text.slug}: unknown anchor {href}"
        checked += 1
    assert checked > 30


def test_each_faq_answer_links_to_a_screen():
    for text in shipped("faq"):
        assert LINK.search(text.body), f"{text.language}/{text.slug} has no link"


def test_required_screens_are_linked():
    hrefs = {urlsplit(href).path for _text, href in _links()}
    for path in (
        "/accounts/login/",
        "/recover/login-name/",
        "/recover/password/",
        "/settings/security/",
        "/settings/security/phone/",
        "/accounts/verify/backup-code/",
        "/help/contact/",
        "/help/faq/",
    ):
        assert path in hrefs, path
