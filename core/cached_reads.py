"""Small reads every page makes (the bell's count, whether a person has a second factor), kept in the cache
until what they are read from changes.

A *scope* ("two_factor:7", "unread:3") has a generation, a random token in the cache; a value is kept with
the generation it was read under and trusted only while that is still the scope's generation.
``cached_read_forget`` gives the scope a new generation when the write is made and again once its
transaction commits, so every value read before is dropped at once, in every process — and a value read
from the database while the write was committing is stored under a generation no longer trusted (the race
a plain delete loses).
A hit costs one cache round trip (the generation and the value together).

Only with a cache every web process shares (``settings.CACHE_SHARED``: Redis, or the tests' one process):
with a per-process memory cache, a change made through one process would stay unseen in the others, so
the value is read from the database every time. A cache that does not answer is read around (the
database has everything); one that fails while a change is written leaves the values kept before it to be
trusted until their timeout once it answers again (logged as an error).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

log = logging.getLogger(__name__)

_PREFIX = "cached_read"


def _generation_key(scope: str) -> str:
    return f"{_PREFIX}:gen:{scope}"


def _value_key(scope: str, name: str) -> str:
    return f"{_PREFIX}:val:{scope}:{name}"


def cached_read(scope: str, name: str, read: Callable[[], T], *, seconds: int) -> T:
    """``read()``'s value for ``name`` in ``scope``, from the cache while the scope has not changed."""
    if not settings.CACHE_SHARED:
        return read()
    generation_key, value_key = _generation_key(scope), _value_key(scope, name)
    try:
        found = cache.get_many([generation_key, value_key])
        generation = found.get(generation_key)
        kept = found.get(value_key)
        if generation is not None and isinstance(kept, tuple) and kept[0] == generation:
            return kept[1]
        if generation is None:
            # Taken before the database read: a change committing meanwhile replaces it, so what is read
            # here is kept under a generation nobody trusts any more.
            cache.add(generation_key, secrets.token_hex(8), None)
            generation = cache.get(generation_key)
    except Exception:  # a cache that does not answer costs the cache, not the page: the database has it all
        log.warning("cache unavailable for %s", scope, exc_info=True)
        return read()
    value = read()
    if generation is not None:
        try:
            cache.set(value_key, (generation, value), seconds)
        except Exception:
            log.warning("cache unavailable for %s", scope, exc_info=True)
    return value


def cached_read_forget(scope: str) -> None:
    """What ``scope``'s values are read from changed: none kept so far is used again.

    At once (this transaction's own later reads see the change) and again after the commit (a value
    another process read before the commit, stored under the first new generation, is dropped too).
    """
    if settings.CACHE_SHARED:
        _new_generation(scope)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: _new_generation(scope))


def _new_generation(scope: str) -> None:
    try:
        cache.set(_generation_key(scope), secrets.token_hex(8), None)
    except Exception:  # the write stands; a value kept from before may be trusted until its timeout
        log.error("cache unavailable: %s not forgotten", scope, exc_info=True)
