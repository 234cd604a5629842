"""The Redis cache keeps one redis-py client per server (core/redis_cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

from core.redis_cache import RedisCache

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens: a client connects only when a command runs


def test_every_command_goes_through_the_same_client() -> None:
    client = RedisCache(NOWHERE, {})._cache
    first = client.get_client("a")
    assert isinstance(first, redis.Redis)
    assert client.get_client("b") is first
    assert client.get_client("c", write=True) is first  # one server: reads and writes alike


def test_each_server_has_its_own_client_on_its_own_pool() -> None:
    client = RedisCache([NOWHERE, "redis://127.0.0.1:2/0"], {})._cache
    writer, reader = client.get_client(write=True), client.get_client()  # reads go to the second server
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["port"] == 1
    assert reader.connection_pool.connection_kwargs["port"] == 2
    assert client.get_client() is reader and client.get_client(write=True) is writer


def test_the_production_settings_take_it_for_a_redis_cache_url() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "telcoportal.settings", "DEBUG": "0", "SECRET_KEY": "x" * 50,
           "CACHE_URL": "redis://cache.invalid:6379/1"}  # fmt: skip
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], settings.CACHE_SHARED)"
    run = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert run.stdout.split() == ["core.redis_cache.RedisCache", "True"]
