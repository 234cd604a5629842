"""``/metrics``: Prometheus' text format, for a scraper holding METRICS_TOKEN or at a listed address.

Under gunicorn each worker process counts on its own: with PROMETHEUS_MULTIPROC_DIR set (docs/deploy.md,
"Metrics") prometheus_client keeps the counts in files there and this view adds up every process's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from . import operator_access
from .state_metrics import StateCollector


class _ThisProcess(Collector):
    """Every metric of this process's default registry (django-prometheus', the provider metrics)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(StateCollector())
    return registry


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not operator_access.configured():
        return HttpResponse(status=404)
    if not operator_access.is_operator(request):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
