"""The worker's own /metrics: provider requests happen mostly in workers (sends, imports, report polls).

With METRICS_WORKER_PORT set, the worker's main process serves Prometheus' text format on that port,
to the same token or addresses as the web's /metrics. Its prefork children count in files under
PROMETHEUS_MULTIPROC_DIR (required then: without it each child would keep its counts to itself), which
this endpoint adds up. The database-computed gauges stay on the web's /metrics.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from prometheus_client import CollectorRegistry, make_wsgi_app, multiprocess

from . import operator_access

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


def registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        raise ImproperlyConfigured("METRICS_WORKER_PORT needs PROMETHEUS_MULTIPROC_DIR (docs/deploy.md, Metrics)")
    found = CollectorRegistry(auto_describe=False)
    multiprocess.MultiProcessCollector(found)
    return found


def protected_app(metrics_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> Any:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        allowed = operator_access.token_matches(environ.get("HTTP_AUTHORIZATION", "")) or (
            operator_access.address_allowed(environ.get("REMOTE_ADDR", ""))
        )
        if not allowed:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [b""]
        return metrics_app(environ, start_response)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is not worth a log line


def serve(port: int, address: str = "0.0.0.0") -> WSGIServer:  # noqa: S104 (a scraper on another machine)
    """Starts the endpoint in a daemon thread of this process; returns its server (tests stop it)."""
    server = make_server(address, port, protected_app(make_wsgi_app(registry())), handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    return server


def on_worker_ready(**kwargs: Any) -> None:
    """``worker_ready`` (the worker's main process, once): serves the metrics when METRICS_WORKER_PORT is set."""
    if not settings.METRICS_WORKER_PORT:
        return
    if not operator_access.configured():
        log.warning("METRICS_WORKER_PORT is set but neither METRICS_TOKEN nor METRICS_ALLOWED_IPS: not served")
        return
    serve(settings.METRICS_WORKER_PORT)
    log.info("worker metrics on port %s", settings.METRICS_WORKER_PORT)
