"""The support-request form and the support desk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.help.conftest import image_bytes
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.models import ErrorReport
from verzuim.help.actions import change_support_request_status, create_support_request
from verzuim.help.models import RequestStatus, SupportRequest
from verzuim.messaging.models import OutgoingMessage

pytestmark = pytest.mark.django_db


def emails_to(address):
    return list(OutgoingMessage.objects.filter(channel="email", to=address).order_by("created_at"))


def page_value(html):
    match = re.search(r'<input type="hidden" name="page"(?: value="([^"]*)")?', html)
    assert match, "no page field"
    return match.group(1) or ""


def upload(content, name="screen.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def send(client, **data):
    values = {"subject": "Cannot open page", "message": "It shows an error."}
    values.update(data)
    return client.post("/help/contact/", values)


def test_form_requires_login(client, tenant):
    response = client.get("/help/contact/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_request_is_sent_with_login_name_page_and_emails(login, tenant, hr_user, client):
    login(hr_user)
    page = client.get("/help/contact/?from=/settings/security/%3Fx%3D1")
    assert 'value="/settings/security/"' in page.content.decode()
    response = send(client, page="/settings/security/?secret=1")
    assert response.status_code == 302 and response["Location"] == "/help/contact/sent/"
    request = SupportRequest.objects.get()
    assert request.tenant == tenant and request.user == hr_user
    assert request.login_name == "hanna.hr"
    assert request.page == "/settings/security/"
    assert request.status == RequestStatus.OPEN
    assert AuditEvent.objects.filter(event=Event.SUPPORT_REQUEST_CREATED, actor=hr_user).exists()
    assert len(emails_to(hr_user.email)) == 1
    assert len(emails_to(tenant.support_email)) == 1
    assert "Cannot open page" in emails_to(tenant.support_email)[0].body
    sent = client.get("/help/contact/sent/").content.decode()
    assert f"number {request.pk}" in sent


def test_page_must_be_local(login, tenant, hr_user, client):
    login(hr_user)
    for bad in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        assert page_value(client.get(f"/help/contact/?from={bad}").content.decode()) == ""
    send(client, page="https://evil.example/path")
    assert SupportRequest.objects.get().page == ""


def test_page_from_referer_of_own_host(login, tenant, hr_user, client):
    login(hr_user)
    html = client.get("/help/contact/", HTTP_REFERER="http://testserver/help/faq/?q=1")
    assert page_value(html.content.decode()) == "/help/faq/"
    html = client.get("/help/contact/", HTTP_REFERER="https://evil.example/help/")
    assert page_value(html.content.decode()) == ""


def test_last_error_reference_is_filled_in(login, tenant, hr_user, client):
    login(hr_user)
    response = client.get("/help/no-such-page/")
    assert response.status_code == 404
    reference = response["X-Request-Reference"]
    assert ErrorReport.objects.filter(reference=reference, user=hr_user).exists()
    html = client.get("/help/contact/").content.decode()
    assert f'value="{reference}"' in html
    send(client, error_reference=reference)
    assert SupportRequest.objects.get().error_reference == reference


def test_old_error_reference_is_not_used(login, tenant, hr_user, client):
    ErrorReport.objects.create(
        reference="ABCD-EFGH",
        status=500,
        path="/x",
        user=hr_user,
        tenant=tenant,
        created=timezone.now() - timedelta(hours=2),
    )
    login(hr_user)
    assert "ABCD-EFGH" not in client.get("/help/contact/").content.decode()


def test_ref_parameter_is_checked_against_this_tenant(login, tenant, other_tenant, hr_user, client):
    ErrorReport.objects.create(reference="K7QM-2XDA", status=404, path="/x", tenant=tenant)
    ErrorReport.objects.create(reference="ZZZZ-1111", status=404, path="/x", tenant=other_tenant)
    login(hr_user)
    assert 'value="K7QM-2XDA"' in client.get("/help/contact/?ref=k7qm2xda").content.decode()
    assert 'value="ZZZZ-1111"' not in client.get("/help/contact/?ref=ZZZZ-1111").content.decode()
    response = send(client, error_reference="ZZZZ-1111")
    assert response.status_code == 200 and not SupportRequest.objects.exists()


def test_valid_png_screenshot_is_accepted(login, tenant, hr_user, client, png_bytes, settings):
    login(hr_user)
    response = send(client, screenshot=upload(png_bytes, name="../../evil name.png"))
    assert response.status_code == 302
    request = SupportRequest.objects.get()
    assert request.screenshot_type == "image/png"
    assert request.screenshot.name.startswith("support/")
    assert "evil" not in request.screenshot.name
    assert (settings.MEDIA_ROOT / request.screenshot.name).read_bytes() == png_bytes


def test_jpeg_screenshot_is_accepted(login, tenant, hr_user, client):
    login(hr_user)
    send(client, screenshot=upload(image_bytes("JPEG"), name="x.jpg", content_type="image/jpeg"))
    request = SupportRequest.objects.get()
    assert request.screenshot_type == "image/jpeg"
    assert request.screenshot.name.endswith(".jpg")


@pytest.mark.parametrize(
    "content, name",
    [
        (b"just some text, not an image", "fake.png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "broken.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.png"),
    ],
)
def test_non_images_are_refused(login, tenant, hr_user, client, content, name):
    login(hr_user)
    response = send(client, screenshot=upload(content, name=name))
    assert response.status_code == 200
    assert "not a valid PNG or JPEG" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_other_image_types_are_refused(login, tenant, hr_user, client):
    login(hr_user)
    response = send(client, screenshot=upload(image_bytes("GIF"), name="x.png"))
    assert "Only PNG or JPEG" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_too_large_file_is_refused(login, tenant, hr_user, client):
    login(hr_user)
    big = image_bytes("PNG") + b"\x00" * (5 * 1024 * 1024)
    response = send(client, screenshot=upload(big))
    assert "at most 5 MB" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_too_many_pixels_is_refused(login, tenant, hr_user, client):
    login(hr_user)
    response = send(client, screenshot=upload(image_bytes("PNG", (4001, 10))))
    assert "4000" in response.content.decode()
    assert not SupportRequest.objects.exists()


@pytest.fixture
def support_request(tenant, hr_user, png_bytes):
    return create_support_request(
        hr_user,
        subject="Help",
        message="Please",
        screenshot=upload(png_bytes),
        screenshot_type="image/png",
    )


def test_support_sees_list_detail_and_screenshot(
    login, support_user, support_request, client, png_bytes
):
    login(support_user)
    html = client.get("/help/support-requests/").content.decode()
    assert "hanna.hr" in html and "Help" in html
    assert (
        client.get("/help/support-requests/?status=resolved")
        .content.decode()
        .count(f'/help/support-requests/{support_request.pk}/"')
        == 0
    )
    detail = client.get(f"/help/support-requests/{support_request.pk}/").content.decode()
    assert f"/help/support-requests/{support_request.pk}/screenshot/" in detail
    response = client.get(f"/help/support-requests/{support_request.pk}/screenshot/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes


def test_status_changes_email_the_requester(login, support_user, support_request, client, hr_user):
    login(support_user)
    before = len(emails_to(hr_user.email))
    url = f"/help/support-requests/{support_request.pk}/status/"
    assert client.post(url, {"status": "in_progress"}).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.IN_PROGRESS
    client.post(url, {"status": "resolved"})
    client.post(url, {"status": "resolved"})  # no change: no e-mail
    mails = emails_to(hr_user.email)[before:]
    assert len(mails) == 2
    assert "In progress" in mails[0].subject and "Resolved" in mails[1].subject
    events = AuditEvent.objects.filter(event=Event.SUPPORT_REQUEST_UPDATED)
    assert [e.data["to"] for e in events.order_by("id")] == ["in_progress", "resolved"]
    assert client.post(url, {"status": "bogus"}).status_code == 404


def test_only_support_may_change_status(support_request, hr_user, foreign_support):
    with pytest.raises(PermissionError):
        change_support_request_status(support_request, "resolved", actor=hr_user)
    with pytest.raises(PermissionError):
        change_support_request_status(support_request, "resolved", actor=foreign_support)


def test_non_support_users_get_403(login, hr_user, support_request, client):
    login(hr_user)
    pk = support_request.pk
    for url in (
        "/help/support-requests/",
        f"/help/support-requests/{pk}/",
        f"/help/support-requests/{pk}/screenshot/",
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(f"/help/support-requests/{pk}/status/", {"status": "resolved"}).status_code
        == 403
    )


def test_support_of_another_tenant_gets_404(login, foreign_support, support_request, client):
    login(foreign_support, host="andere.verzuim.test")
    pk = support_request.pk
    assert "Please" not in client.get("/help/support-requests/").content.decode()
    for url in (f"/help/support-requests/{pk}/", f"/help/support-requests/{pk}/screenshot/"):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/help/support-requests/{pk}/status/", {"status": "resolved"}).status_code
        == 404
    )


def test_uploads_have_no_public_url(login, support_user, support_request, client):
    name = support_request.screenshot.name
    with pytest.raises(ValueError):
        support_request.screenshot.url  # noqa: B018
    login(support_user)
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/{name}").status_code == 404
    assert client.get(f"/static/{name}").status_code == 404


def test_request_without_screenshot_has_no_screenshot_view(login, support_user, hr_user, client):
    request = create_support_request(hr_user, subject="Q", message="M")
    login(support_user)
    assert client.get(f"/help/support-requests/{request.pk}/screenshot/").status_code == 404


def test_error_page_sidebar_links_to_the_form_with_its_reference(login, hr_user, client):
    login(hr_user)
    response = client.get("/no-such-page/")
    reference = response["X-Request-Reference"]
    html = response.content.decode()
    assert f"/help/contact/?from=/no-such-page/&amp;ref={reference}" in html


def test_form_in_dutch(login, hr_user, client, settings):
    settings.LANGUAGE_CODE = "nl"
    login(hr_user)
    html = client.get("/help/contact/").content.decode()
    assert "Ondersteuningsverzoek" in html and "Onderwerp" in html


def test_links_for_support_and_tenant_admin(login, support_user, tenant_admin, client):
    login(support_user)
    assert 'href="/help/support-requests/"' in client.get("/help/").content.decode()
    login(tenant_admin)
    html = client.get("/help/").content.decode()
    assert 'href="/help/manage/"' in html
    assert 'href="/help/support-requests/"' not in html
