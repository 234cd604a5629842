"""Provider request latency and errors, by provider and endpoint, fed by the transport's observer hook.

``providers/`` knows nothing of Django nor of Prometheus: its ``Transport`` tells every observer of each
attempt (providers.transport.add_request_observer); this module is the portal's observer.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from providers.transport import RequestObservation, add_request_observer

PROVIDER_REQUEST_SECONDS = Histogram(
    "telcoportal_provider_request_seconds",
    "Time of one HTTP attempt at a provider (answered or failed), by provider and endpoint.",
    ["provider", "endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0),
)
PROVIDER_REQUEST_ERRORS = Counter(
    "telcoportal_provider_request_errors",
    "Provider attempts that failed (no answer, or an error answer), by provider, endpoint and error class.",
    ["provider", "endpoint", "error"],
)


def observe(observation: RequestObservation) -> None:
    PROVIDER_REQUEST_SECONDS.labels(observation.provider, observation.endpoint).observe(observation.seconds)
    if observation.error is not None:
        PROVIDER_REQUEST_ERRORS.labels(observation.provider, observation.endpoint, observation.error).inc()


def install() -> None:
    """Hooks the metrics to every provider client of this process (web, worker); called once at start."""
    add_request_observer(observe)
