"""The project's Celery task class: queued after commit, and a broker outage is never a 500.

What a person asked for is stored first; the task only says "go". If the broker
cannot take the message, the stored work is still there: the failure is logged,
``on_queue_error`` runs (to mark the work for a watchdog, or to do it in the
request), and the page answers as usual.

``telcoportal/celery.py`` makes this the class of every task (``task_cls``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from celery import Task as CeleryTask
from django.db import transaction

log = logging.getLogger(__name__)


class Task(CeleryTask):  # as Celery's DjangoTask, whose two methods it replaces
    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """``delay(*args, **kwargs)`` once the current transaction commits; a broker error is logged."""
        transaction.on_commit(lambda: self._queue(lambda: self.delay(*args, **kwargs), args, None))

    def apply_async_on_commit(
        self,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        on_queue_error: Callable[[], object] | None = None,
        **options: Any,
    ) -> None:
        """``apply_async(args, kwargs, **options)`` once the current transaction commits.

        If the broker cannot take it, the error is logged and ``on_queue_error`` runs instead.
        """
        args = tuple(args)
        positional: tuple[Any, ...] = (args,) if kwargs is None else (args, kwargs)
        transaction.on_commit(
            lambda: self._queue(lambda: self.apply_async(*positional, **options), args, on_queue_error)
        )

    def _queue(
        self, send: Callable[[], object], args: Sequence[Any], on_queue_error: Callable[[], object] | None
    ) -> None:
        try:
            send()
        except Exception:  # any broker error: kombu's, redis', a socket's
            log.warning("%s%r could not be queued", self.name, tuple(args), exc_info=True)
            if on_queue_error is not None:
                on_queue_error()
