"""Gauges computed when Prometheus scrapes: sends by state, the Celery queue, CDR import lag, heartbeats.

Each is one cheap aggregate query (or one Redis LLEN with a short timeout), made per scrape rather than kept
up to date by the code that changes the rows: the database is the one truth every process shares.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Min
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from fax.models import Direction, Fax, Status
from messaging.models import SmsChunk
from telephony.models import ImportWatermark

from . import heartbeat

log = logging.getLogger(__name__)

QUEUE_NAME = "celery"  # the one queue every task goes to (no task_routes)
_PRIORITY_SEPARATOR = "\x06\x16"  # kombu's Redis transport keeps prioritised messages in suffixed lists
REDIS_TIMEOUT = 0.5


def sms_chunks() -> Metric:
    family = GaugeMetricFamily("telcoportal_sms_chunks", "SMS chunks (submit requests) by state.", labels=["state"])
    counts = dict(SmsChunk.objects.values_list("state").annotate(n=Count("id")).order_by())
    for state in SmsChunk.State.values:
        family.add_metric([state], counts.get(state, 0))
    return family


def faxes() -> Metric:
    family = GaugeMetricFamily("telcoportal_faxes", "Faxes by direction and status.", labels=["direction", "status"])
    rows = Fax.objects.values_list("direction", "status").annotate(n=Count("id")).order_by()
    counts = {(direction, status): n for direction, status, n in rows}
    for direction in Direction.values:
        for status in Status.values:
            family.add_metric([direction, status], counts.get((direction, status), 0))
    return family


def cdr_import_lag(now: float) -> Metric:
    """Per active account, the oldest of its import watermarks (one per source and telephone id)."""
    family = GaugeMetricFamily(
        "telcoportal_cdr_import_lag_seconds",
        "Seconds since the point up to which an account's call records are imported (its laggiest source).",
        labels=["account", "provider"],
    )
    rows = (
        ImportWatermark.objects.filter(account__is_active=True, imported_until__isnull=False)
        .values_list("account_id", "account__kind")
        .annotate(oldest=Min("imported_until"))
        .order_by()
    )
    for account_id, kind, oldest in rows:
        family.add_metric([str(account_id), kind], max(0.0, now - oldest.timestamp()))
    return family


def queue_depth() -> Metric | None:
    """Messages waiting on the Redis broker; None for other brokers (the embedded transport has no queue to ask)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        with client.pipeline(transaction=False) as pipe:
            pipe.llen(QUEUE_NAME)
            for priority in (3, 6, 9):
                pipe.llen(f"{QUEUE_NAME}{_PRIORITY_SEPARATOR}{priority}")
            depth = sum(pipe.execute())
    except Exception:  # the broker's own health is /healthz's concern: the scrape goes on without this gauge
        log.warning("metrics: the broker did not answer LLEN", exc_info=True)
        return None
    family = GaugeMetricFamily("telcoportal_celery_queue_depth", "Tasks waiting on the broker.", labels=["queue"])
    family.add_metric([QUEUE_NAME], depth)
    return family


def heartbeats() -> Metric:
    family = GaugeMetricFamily(
        "telcoportal_heartbeat_age_seconds",
        "Seconds since the worker ran, or beat queued, the heartbeat task (absent: never seen).",
        labels=["part"],
    )
    for part in heartbeat.PARTS:
        try:
            age = heartbeat.age_seconds(part)
        except Exception:
            log.warning("metrics: the cache did not answer", exc_info=True)
            continue
        if age is not None:
            family.add_metric([part], age)
    return family


class StateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = time.time()
        yield sms_chunks()
        yield faxes()
        yield cdr_import_lag(now)
        depth = queue_depth()
        if depth is not None:
            yield depth
        yield heartbeats()
