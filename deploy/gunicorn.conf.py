"""gunicorn settings shared by the Procfile and the systemd unit (`gunicorn -c deploy/gunicorn.conf.py`).

The access log names the path without its query string and leaves out the Referer: an OAuth
callback's query holds an authorization code, and the page after it is requested with that URL as
its Referer.

Threaded workers (``gthread``): a streamed download (an export, a recording) may take minutes. With the
sync worker, ``timeout`` counted the whole response, so the arbiter killed the worker mid-download and the
browser kept an HTTP 200 file silently cut short. A gthread worker's main thread keeps telling the arbiter it
is alive while its threads send, so ``timeout`` only catches a worker that is truly stuck; a long response
is never cut. Exports too large to stream comfortably run as background jobs (docs/architecture.md).
"""

import os

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
worker_class = "gthread"
# Threads per worker; WEB_CONCURRENCY (read by gunicorn itself) sets the worker processes.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60  # a worker silent this long (heartbeat, not response length) is restarted
graceful_timeout = 30  # on reload/stop, requests in flight get this long to finish
keepalive = 5  # seconds an idle keep-alive connection is held (behind the reverse proxy)
max_requests = 2000
max_requests_jitter = 200


def child_exit(server: object, worker: object) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, a finished worker's live gauges leave /metrics' sums."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
