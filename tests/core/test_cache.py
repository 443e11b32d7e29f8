"""The shared cache: Redis when REDIS_URL is set (the CI database lane), else local memory."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache


def test_cache_backend_follows_redis_url():
    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "django.core.cache.backends.redis.RedisCache"
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_redis_cache_round_trip_is_shared_between_clients():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache.set("verzuim-ci-probe", {"ok": 1}, 30)
    other = RedisCache(settings.CACHES["default"]["LOCATION"],
                       {"KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"]})
    assert other.get("verzuim-ci-probe") == {"ok": 1}
    caches["default"].delete("verzuim-ci-probe")
