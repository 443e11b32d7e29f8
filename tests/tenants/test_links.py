import pytest

from tests.factories import TenantFactory
from verzuim.tenants.links import tenant_url


@pytest.mark.django_db
def test_links_use_the_tenant_host_never_the_request(settings):
    tenant = TenantFactory(slug="acme", host="acme.verzuimportaal.example")
    settings.ENVIRONMENT = "production"
    settings.DEV_LINK_ORIGIN = "http://127.0.0.1:8000"  # ignored in production
    assert tenant_url(tenant, "/x/") == "https://acme.verzuimportaal.example/x/"
    settings.ENVIRONMENT = "development"
    assert tenant_url(tenant, "/x/") == "http://127.0.0.1:8000/x/"
    settings.DEV_LINK_ORIGIN = ""
    assert tenant_url(tenant, "/x/") == "http://acme.verzuimportaal.example/x/"
