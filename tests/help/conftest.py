from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tenant_admin(tenant):
    return UserFactory(tenant=tenant, username="ada.admin", roles=["tenant_admin"])


@pytest.fixture
def foreign_admin(other_tenant):
    return UserFactory(tenant=other_tenant, username="otto.admin", roles=["tenant_admin"])


@pytest.fixture
def foreign_support(other_tenant):
    return UserFactory(tenant=other_tenant, username="sam.support", support=True)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def png_bytes():
    return image_bytes("PNG")


@pytest.fixture
def login(client):
    """Log a user in quickly (the full two-step login is tested in accounts and mfa)."""
    import time

    def do(user, host: str | None = None):
        client.force_login(user)
        session = client.session
        session["auth_at"] = session["seen_at"] = time.time()
        session.save()
        if host:
            client.defaults["HTTP_HOST"] = host
        return client

    return do
