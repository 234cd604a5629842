"""Worker and beat heartbeats: timestamps in the shared cache that /healthz and /metrics read.

Beat queues ``telcoportal.record_heartbeat`` every HEARTBEAT_SECONDS: publishing it stamps beat's
heartbeat (a ``before_task_publish`` handler, in the publishing process), running it stamps the
worker's. A stamp older than HEARTBEAT_STALE_SECONDS means that part stopped. The stamps live in the
cache, so every machine sees them only with a shared cache (CACHE_URL=redis://…).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

TASK_NAME = "telcoportal.record_heartbeat"
PARTS = ("worker", "beat")
_KEY = "telcoportal:heartbeat:{}"
_KEEP_SECONDS = 7 * 24 * 3600  # long past stale, so a stopped part reads as stale, not as unknown


def record(part: str) -> None:
    cache.set(_KEY.format(part), time.time(), timeout=_KEEP_SECONDS)


def age_seconds(part: str) -> float | None:
    """Seconds since ``part`` last stamped its heartbeat; None if it never did (or the cache forgot)."""
    stamped = cache.get(_KEY.format(part))
    return None if stamped is None else max(0.0, time.time() - float(stamped))


def status(part: str) -> dict[str, Any]:
    """``{"ok": …, "age_seconds": …}``: ok is None when no heartbeat was ever seen (nothing to judge)."""
    age = age_seconds(part)
    ok = None if age is None else age <= settings.HEARTBEAT_STALE_SECONDS
    return {"ok": ok, "age_seconds": None if age is None else round(age, 1)}


def on_publish(sender: str | None = None, **kwargs: Any) -> None:
    """``before_task_publish``: beat (the only one that queues the heartbeat task) is alive."""
    if sender == TASK_NAME:
        try:
            record("beat")
        except Exception:  # a cache outage must not stop beat from queueing the task
            logging.getLogger(__name__).warning("heartbeat: the cache did not answer", exc_info=True)
