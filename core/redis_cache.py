"""Django's Redis cache, with one redis-py client per server instead of one per command.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the kept connection pool for every
``get``, ``set`` or ``get_many``; redis-py's constructor fills a table of about 170 response callbacks each
time, which cost more CPU than the round trip it wraps (every page reads the session and the cached flags
through it). A ``redis.Redis`` only borrows a connection from its pool while a command runs, so one client
per pool serves every thread of the process (redis-py documents its clients as thread-safe); connections,
timeouts and retries are the pool's, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    _client: Callable[..., redis.Redis]  # set by Django's client; its stubs do not declare it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}  # by id() of Django's pool, which it keeps for good

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in its stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
