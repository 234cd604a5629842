"""Handing work to the Celery worker without letting a broker outage become a 500.

What a person asked for is stored first; the task only says "go". If the broker
cannot take the message, the stored work is still there: the failure is logged,
``on_failure`` runs (to mark the work for a watchdog, or to do it in the request),
and the page answers as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def queue_after_commit(task: Any, *args: Any, on_failure: Callable[[], None] | None = None, **options: Any) -> None:
    """``task.apply_async(args, **options)`` once the current transaction commits."""

    def queue() -> None:
        try:
            task.apply_async(args, **options)
        except Exception:  # any broker error: kombu's, redis', a socket's
            log.warning("%s%r could not be queued", getattr(task, "name", task), args, exc_info=True)
            if on_failure is not None:
                on_failure()

    transaction.on_commit(queue)
