"""``/healthz``: liveness of the database, the broker and the cache, and the worker and beat heartbeats.

Anyone (a load balancer) gets the status code and ``{"status": …}``; what was checked, and with which
backends, only an operator (METRICS_TOKEN, METRICS_ALLOWED_IPS) or a signed-in staff member sees.
"""

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

from . import heartbeat, operator_access

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


def _heartbeat_check(part: str) -> dict[str, Any]:
    try:
        return heartbeat.status(part)
    except Exception:  # the cache's failure is the cache check's to report
        return {"ok": None, "age_seconds": None}


def _shows_detail(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return operator_access.is_operator(request) or bool(user and user.is_authenticated and user.is_staff)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and the cache answer, 503 otherwise.

    A stale worker or beat heartbeat does not fail it (the web node itself is fine: a load balancer must
    keep it); the detail says so and /metrics has the ages. The detail names each part's backend
    (database vendor, broker transport, cache backend), and ``one_machine`` lists the deployment checks
    (telcoportal.W010-W013) this node fails.
    """
    checks = {"database": _database_check(), "broker": _broker_check(), "cache": _cache_check()}
    healthy = all(part["ok"] for part in checks.values())
    body: dict[str, Any] = {"status": "ok" if healthy else "error"}
    if _shows_detail(request):
        body |= {
            **checks,
            "worker": _heartbeat_check("worker"),
            "beat": _heartbeat_check("beat"),
            "media": {"shared": settings.MEDIA_SHARED},
            "one_machine": [check_id for check_id, _message, _hint in one_machine_findings()],
        }
    return JsonResponse(body, status=200 if healthy else 503)
