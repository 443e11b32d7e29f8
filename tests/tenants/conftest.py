from __future__ import annotations

import pytest


@pytest.fixture
def production(settings):
    """Production behaviour: no default tenant, no ``?tenant=``."""
    settings.ENVIRONMENT = "production"
    settings.DEFAULT_TENANT_SLUG = ""
    return settings
