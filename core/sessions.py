"""Sessions read from the shared cache, written through to the database (Django's ``cached_db``).

Django's own store gives up when the cache does not answer while it loads a session (it reads the
database, then fails to keep the copy and raises): every page would fail with Redis. Here the database
answers alone then. Ending a session still fails loudly if the cache cannot forget it (a copy kept there
would outlive the log-out once the cache answers again).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.cache.backends.base import BaseCache

log = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    _cache: BaseCache  # set by Django's store; its stubs do not declare it

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            log.warning("cache unavailable: session read from the database", exc_info=True)
            return DatabaseStore.load(self)
        if data is not None:
            return data
        found = self._get_session_from_db()  # type: ignore[attr-defined]  # Django's, not in its stubs
        if not found:
            return {}
        data = self.decode(found.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=found.expire_date))
        except Exception:
            log.warning("cache unavailable: session not kept there", exc_info=True)
        return data
