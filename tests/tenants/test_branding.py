"""Each portal shows its own name, contact details and logo."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.pages import body
from tests.factories import TenantFactory

OTHER_HOST = "andere.verzuim.test"


def test_login_page_shows_the_tenant_and_how_to_reach_support(client, tenant):
    tenant.phone, tenant.phone_hours = "020 555 0100", "ma–vr 9–17"
    tenant.address = "Postbus 12\n1000 AA Amsterdam"
    tenant.save()

    html = body(client.get("/accounts/login/"))

    assert f"· {tenant.name}</title>" in html
    assert tenant.name in html
    assert f'<a href="mailto:{tenant.support_email}">{tenant.support_email}</a>' in html
    assert '<a href="tel:0205550100">020 555 0100</a>' in html
    assert "ma–vr 9–17" in html
    assert "Postbus 12<br>1000 AA Amsterdam" in html


def test_another_portal_shows_only_its_own_details(client, tenant, other_tenant):
    html = body(client.get("/accounts/login/", HTTP_HOST=OTHER_HOST))

    assert other_tenant.name in html and other_tenant.support_email in html
    assert tenant.name not in html and tenant.support_email not in html


def test_without_a_logo_the_default_mark_is_shown(client, tenant):
    html = body(client.get("/accounts/login/"))
    assert 'src="/static/img/logo-mark.svg"' in html


def test_the_tenants_own_logo_replaces_the_default_mark(client, settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    TenantFactory(slug="demo", host="testserver",
                  logo=SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n", "image/png"))

    html = body(client.get("/accounts/login/"))

    assert 'src="/media/tenants/logos/logo' in html
    assert 'class="brand-logo brand-mark"' not in html


def test_tenant_text_is_escaped(client, db):
    TenantFactory(slug="demo", host="testserver", name='<script>alert("x")</script>')
    html = body(client.get("/accounts/login/"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
