"""Reading help: audience, language and before-login filtering, search, the sidebar."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verzuim.help.models import FaqItem, Manual, Status

pytestmark = pytest.mark.django_db


def faq(tenant, slug, **kwargs):
    values = {
        "title": f"Title {slug}",
        "body": f"Body of {slug}",
        "language": "en",
        "status": Status.PUBLISHED,
    }
    values.update(kwargs)
    return FaqItem.objects.create(tenant=tenant, slug=slug, **values)


def test_anonymous_faq_shows_only_before_login_items(client, tenant):
    faq(tenant, "only-inside", title="Only for logged-in users", before_login=False)
    faq(tenant, "outside", title="Shown before login", before_login=True)
    html = client.get("/help/faq/").content.decode()
    assert "Shown before login" in html
    assert "Only for logged-in users" not in html
    assert 'id="inloggen"' in html  # shipped login question
    assert 'id="geen-gegevens"' not in html  # shipped, but not a login question


def test_anonymous_sees_no_manuals(client, tenant):
    html = client.get("/help/").content.decode()
    assert "Manual for HR" not in html
    assert client.get("/help/manuals/handleiding-hr/").status_code == 302  # to login


def test_language_follows_the_interface(client, tenant, settings):
    html = client.get("/help/faq/").content.decode()
    assert "How do I log in?" in html
    assert "Hoe log ik in?" not in html
    settings.LANGUAGE_CODE = "nl"
    html = client.get("/help/faq/").content.decode()
    assert "Hoe log ik in?" in html
    assert "How do I log in?" not in html


def test_existing_anchors_are_kept(client, tenant):
    html = client.get("/help/faq/").content.decode()
    for anchor in ("inloggen", "geen-sms", "telefoon-kwijt", "geblokkeerd", "waarom-2fa"):
        assert f'id="{anchor}"' in html


def test_audience_filters_manuals_and_faq(login, tenant, hr_user, manager_user):
    faq(tenant, "for-managers", title="Manager question", audience=["manager"])
    client = login(hr_user)
    html = client.get("/help/").content.decode()
    assert "Manual for HR" in html
    assert "Manual for managers" not in html
    assert "Manager question" not in html
    assert client.get("/help/manuals/handleiding-leidinggevende/").status_code == 404
    assert client.get("/help/manuals/handleiding-hr/").status_code == 200

    client = login(manager_user)
    html = client.get("/help/faq/").content.decode()
    assert "Manager question" in html
    assert 'id="geen-gegevens"' in html
    assert client.get("/help/manuals/handleiding-leidinggevende/").status_code == 200


def test_drafts_are_not_shown(login, tenant, hr_user):
    faq(tenant, "draft-one", title="Draft question", status=Status.DRAFT, before_login=True)
    Manual.objects.filter(tenant=tenant, slug="handleiding-hr").update(status=Status.DRAFT)
    client = login(hr_user)
    assert "Draft question" not in client.get("/help/faq/").content.decode()
    assert client.get("/help/manuals/handleiding-hr/").status_code == 404


def test_other_tenants_content_is_not_shown(login, tenant, other_tenant, hr_user):
    faq(other_tenant, "elsewhere", title="Other tenant question", before_login=True)
    Manual.objects.create(
        tenant=other_tenant,
        slug="their-manual",
        title="Their manual",
        body="x",
        language="en",
        status=Status.PUBLISHED,
    )
    client = login(hr_user)
    assert "Other tenant question" not in client.get("/help/faq/").content.decode()
    assert client.get("/help/manuals/their-manual/").status_code == 404
    assert "Other tenant" not in client.get("/help/search/?q=tenant").content.decode()


def test_search_finds_title_and_body_in_language_and_audience(login, client, tenant, hr_user):
    faq(tenant, "needle-body", title="Plain title", body="the haystack word", before_login=True)
    faq(tenant, "needle-nl", title="haystack in Dutch", language="nl", before_login=True)
    faq(tenant, "needle-inside", title="haystack inside", before_login=False)
    faq(tenant, "needle-managers", title="haystack managers", audience=["manager"])

    html = client.get("/help/search/?q=haystack").content.decode()
    assert "Plain title" in html
    assert "haystack in Dutch" not in html
    assert "haystack inside" not in html  # before login: only login items
    assert "haystack managers" not in html

    login(hr_user)
    html = client.get("/help/search/?q=HAYSTACK").content.decode()
    assert "Plain title" in html and "haystack inside" in html
    assert "haystack managers" not in html
    html = client.get("/help/search/?q=backup+code").content.decode()
    assert "/help/faq/#telefoon-kwijt" in html
    assert "Manual for HR" in client.get("/help/search/?q=HR").content.decode()


def test_search_before_login_shows_no_manuals(client, tenant):
    html = client.get("/help/search/?q=manual").content.decode()
    assert "/help/manuals/" not in html


def test_empty_search_is_fine(client, tenant):
    assert client.get("/help/search/?q=").status_code == 200
    assert client.get("/help/search/?q=zzzqqq").status_code == 200


def test_sidebar_before_and_after_login(login, client, tenant, hr_user):
    html = client.get("/accounts/login/").content.decode()
    assert "/help/faq/#inloggen" in html
    assert "/help/manuals/" not in html
    assert "support request" not in html.lower()
    assert "support@demo.example" in html  # contact block

    login(hr_user)
    html = client.get("/help/faq/").content.decode()
    assert "/help/manuals/handleiding-hr/" in html
    assert "/help/contact/?from=/help/faq/" in html


def test_sidebar_is_cheap(tenant, hr_user, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    for user in (hr_user, AnonymousUser()):
        request = rf.get("/")
        request.user = user
        with CaptureQueriesContext(connection) as queries:
            render_to_string(
                "includes/help_sidebar.html", {"tenant": tenant, "user": user, "request": request}
            )
        assert len(queries) <= 2
