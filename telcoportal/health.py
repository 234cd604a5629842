"""``/healthz``: liveness of the database, the broker and the cache."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.checks import broker_transport, one_machine_findings

log = logging.getLogger(__name__)


def _database_check() -> dict[str, Any]:
    found: dict[str, Any] = {"ok": False, "vendor": connection.vendor}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            found["ok"] = cursor.fetchone() == (1,)
    except Exception:
        log.warning("healthz: the database did not answer", exc_info=True)
    return found


def _broker_ok() -> bool:
    from telcoportal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _broker_check() -> dict[str, Any]:
    return {"ok": _broker_ok(), "transport": broker_transport(settings.CELERY_BROKER_URL)}


def _cache_check() -> dict[str, Any]:
    backend = settings.CACHES["default"]["BACKEND"]
    found: dict[str, Any] = {"ok": False, "backend": backend.rsplit(".", 1)[-1]}
    probe = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(probe, 1, timeout=10)
        found["ok"] = cache.get(probe) == 1
        cache.delete(probe)
    except Exception:
        log.warning("healthz: the cache did not answer", exc_info=True)
    return found


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 when the database, the broker and the cache answer, 503 otherwise.

    Each part says what was checked (database vendor, broker transport, cache backend), and
    ``one_machine`` lists the deployment checks (telcoportal.W010-W013) this node fails.
    """
    checks = {"database": _database_check(), "broker": _broker_check(), "cache": _cache_check()}
    healthy = all(part["ok"] for part in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            **checks,
            "media": {"shared": settings.MEDIA_SHARED},
            "one_machine": [check_id for check_id, _message, _hint in one_machine_findings()],
        },
        status=200 if healthy else 503,
    )
