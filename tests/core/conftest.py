from __future__ import annotations

import logging

import pytest


@pytest.fixture
def visitor(client, tenant):
    """Someone on the test tenant's portal, not logged in; server errors become pages."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def error_log(caplog):
    caplog.set_level(logging.INFO, logger="verzuim.core.errors")
    return caplog
