"""SMS as a restricted authenticator (ASVS V6.6.1): the number is validated before use, a
stronger method is always on offer, and users are told the risks where they choose."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory


@pytest.mark.parametrize("methods", [["sms"], [], ["sms", "email"], "sms"])
def test_a_tenant_cannot_offer_sms_alone(tenant, methods):
    tenant.allowed_methods = methods
    with pytest.raises(ValidationError) as refused:
        tenant.full_clean()
    assert "allowed_methods" in refused.value.message_dict


@pytest.mark.parametrize("methods", [["sms", "totp"], ["sms", "webauthn"], ["webauthn"],
                                     ["sms", "totp", "webauthn"]])
def test_a_tenant_with_a_stronger_method_is_accepted(tenant, methods):
    tenant.allowed_methods = methods
    tenant.full_clean()


def test_the_admin_refuses_an_sms_only_policy(client, tenant):
    admin = UserFactory(tenant=tenant, username="beheerder", is_staff=True, is_superuser=True)
    client.force_login(admin)
    session = client.session
    import time

    session["auth_at"] = session["seen_at"] = session["mfa_at"] = time.time()
    session.save()
    url = f"/beheer/tenants/tenant/{tenant.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update({"allowed_methods": '["sms"]', "logo": ""})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "SMS alone is not safe enough" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.allowed_methods == ["sms", "totp", "webauthn"]


def test_the_security_page_tells_an_sms_only_user_the_risks(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    body = client.get("/settings/security/").content.decode()
    assert 'id="sms-risk"' in body and "SMS is the least safe second step." in body
    assert "We advise you to add one of them." in body
    assert 'href="/help/faq/#sms-app-sleutel"' in body


def test_the_notice_goes_once_a_stronger_method_is_added(client, hr_user, logged_in_client):
    from tests.mfa.webauthn.conftest import add_key

    add_key(hr_user)
    logged_in_client(hr_user)
    assert 'id="sms-risk"' not in client.get("/settings/security/").content.decode()


def test_the_faq_explains_the_risks_of_sms_in_both_languages(client, tenant):
    english = client.get("/help/faq/").content.decode()
    assert "How safe is SMS?" in english and "new SIM card" in english
    client.cookies["django_language"] = "nl"
    dutch = client.get("/help/faq/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Hoe veilig is sms?" in dutch and "simkaart" in dutch
