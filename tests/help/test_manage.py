"""Tenant admins edit their own tenant's help; others get 403 (wrong role) or 404."""

from __future__ import annotations

import pytest

from verzuim.audit.models import AuditEvent, Event
from verzuim.help.models import FaqItem, Manual, Status

pytestmark = pytest.mark.django_db


def item(tenant, slug="inloggen", language="en"):
    return FaqItem.objects.get(tenant=tenant, slug=slug, language=language)


def form_data(**overrides):
    data = {
        "title": "A new question",
        "slug": "nieuwe-vraag",
        "language": "en",
        "order": "15",
        "status": "published",
        "body": "Go to [login](/accounts/login/).",
        "before_login": "on",
    }
    data.update(overrides)
    return data


def test_admin_lists_and_creates(login, tenant, tenant_admin, client):
    login(tenant_admin)
    assert "How do I log in?" in client.get("/help/manage/").content.decode()
    response = client.post("/help/manage/faq/new/", form_data(audience=["manager"]))
    assert response.status_code == 302
    created = FaqItem.objects.get(tenant=tenant, slug="nieuwe-vraag")
    assert created.updated_by == tenant_admin
    assert created.audience == ["manager"]
    assert created.before_login
    event = AuditEvent.objects.get(event=Event.HELP_CONTENT_CHANGED)
    assert event.actor == tenant_admin and event.tenant == tenant
    assert event.data["change"] == "created"


def test_admin_edits_reorders_and_previews(login, tenant, tenant_admin, client):
    login(tenant_admin)
    faq = item(tenant)
    response = client.post(
        f"/help/manage/faq/{faq.pk}/",
        form_data(
            slug="inloggen", title="Logging in", order="1", body="<script>x()</script>**New**"
        ),
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    assert faq.order == 1 and faq.title == "Logging in"
    html = client.get(f"/help/manage/faq/{faq.pk}/preview/").content.decode()
    assert "<strong>New</strong>" in html and "x()" not in html
    html = client.get("/help/faq/").content.decode()
    assert html.index('id="inloggen"') < html.index('id="vragen-stellen"')


def test_duplicate_anchor_is_refused(login, tenant, tenant_admin, client):
    login(tenant_admin)
    response = client.post("/help/manage/faq/new/", form_data(slug="geen-sms"))
    assert response.status_code == 200
    assert "already used" in response.content.decode()


def test_publish_and_draft(login, tenant, tenant_admin, client):
    login(tenant_admin)
    manual = Manual.objects.get(tenant=tenant, slug="handleiding-hr", language="en")
    assert (
        client.post(f"/help/manage/manual/{manual.pk}/status/", {"status": "draft"}).status_code
        == 302
    )
    manual.refresh_from_db()
    assert manual.status == Status.DRAFT
    client.post(f"/help/manage/manual/{manual.pk}/status/", {"status": "published"})
    manual.refresh_from_db()
    assert manual.status == Status.PUBLISHED
    assert AuditEvent.objects.filter(event=Event.HELP_CONTENT_CHANGED).count() == 2


def test_hr_user_gets_403(login, tenant, hr_user, client):
    login(hr_user)
    faq = item(tenant)
    assert client.get("/help/manage/").status_code == 403
    assert client.get(f"/help/manage/faq/{faq.pk}/").status_code == 403
    assert client.post("/help/manage/faq/new/", form_data()).status_code == 403
    assert client.post(f"/help/manage/faq/{faq.pk}/status/", {"status": "draft"}).status_code == 403


def test_admin_of_another_tenant_gets_404(login, tenant, foreign_admin, client):
    login(foreign_admin, host="andere.verzuim.test")
    faq = item(tenant)
    assert client.get(f"/help/manage/faq/{faq.pk}/").status_code == 404
    assert client.get(f"/help/manage/faq/{faq.pk}/preview/").status_code == 404
    assert client.post(f"/help/manage/faq/{faq.pk}/", form_data()).status_code == 404
    assert client.post(f"/help/manage/faq/{faq.pk}/status/", {"status": "draft"}).status_code == 404
    faq.refresh_from_db()
    assert faq.status == Status.PUBLISHED
    assert "How do I log in?" in client.get("/help/manage/").content.decode()  # their own
    assert not FaqItem.objects.filter(pk=faq.pk, updated_by=foreign_admin).exists()


def test_unknown_kind_is_404(login, tenant_admin, client):
    login(tenant_admin)
    assert client.get("/help/manage/other/new/").status_code == 404
