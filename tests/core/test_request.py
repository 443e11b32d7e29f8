"""The client's address: never taken from a header a client can forge, unless configured."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from verzuim.core.request import SYSTEM, Origin, client_ip, user_agent


@pytest.fixture
def rf():
    return RequestFactory()


def request_from(rf, remote_addr="203.0.113.7", **headers):
    return rf.get("/", REMOTE_ADDR=remote_addr, **headers)


def test_remote_addr_by_default(rf):
    assert client_ip(request_from(rf)) == "203.0.113.7"


def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXY_HEADER = ""
    request = request_from(rf, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.7"


def test_behind_one_proxy_the_right_most_hop_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "198.51.100.1" itself; our proxy appended the address it saw.
    request = request_from(rf, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.55")
    assert client_ip(request) == "192.0.2.55"


def test_behind_two_proxies_the_second_hop_from_the_right(rf, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from(rf, "10.0.0.3",
                           HTTP_X_FORWARDED_FOR="198.51.100.1,192.0.2.55 , 10.0.0.2")
    assert client_ip(request) == "192.0.2.55"


def test_another_header_name_can_be_trusted(rf, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(rf, "10.0.0.2", HTTP_X_REAL_IP="192.0.2.8",
                           HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "192.0.2.8"


@pytest.mark.parametrize("forwarded", [
    "",                           # header missing its value
    "not-an-ip",                  # garbage
    "192.0.2.55:443",             # with a port
    "198.51.100.1, 999.1.1.1",    # invalid right-most hop
    " , ",                        # only separators
])
def test_invalid_forwarded_values_fall_back_to_remote_addr(rf, settings, forwarded):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(rf, "10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == "10.0.0.2"


def test_fewer_hops_than_trusted_proxies_falls_back(rf, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 3
    request = request_from(rf, "10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.55, 10.0.0.9")
    assert client_ip(request) == "10.0.0.2"


def test_missing_header_falls_back(rf, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert client_ip(request_from(rf, "10.0.0.2")) == "10.0.0.2"


def test_ipv6_is_normalised(rf, settings):
    assert client_ip(request_from(rf, "2001:DB8:0:0::1")) == "2001:db8::1"
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    request = request_from(rf, "10.0.0.2", HTTP_X_FORWARDED_FOR="2001:0DB8::0002")
    assert client_ip(request) == "2001:db8::2"


def test_unusable_remote_addr_gives_a_placeholder(rf):
    assert client_ip(request_from(rf, "")) == "0.0.0.0"
    assert client_ip(request_from(rf, "garbage")) == "0.0.0.0"


def test_origin_uses_the_address_the_middleware_found(rf):
    request = request_from(rf, HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500)
    request.client_ip = "192.0.2.99"
    origin = Origin.from_request(request)
    assert origin.ip == "192.0.2.99"
    assert len(origin.user_agent) == 300
    assert user_agent(request_from(rf)) == ""
    assert SYSTEM.ip is None and SYSTEM.user_agent == ""


def test_origin_without_middleware_reads_the_request(rf):
    assert Origin.from_request(request_from(rf)).ip == "203.0.113.7"
