"""Keeping a client under a provider's documented request rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """At most ``burst`` requests at once, then one every ``1 / rate`` seconds (GCRA, a token bucket's twin).

    ``clock`` (monotonic seconds) and ``sleep`` are injectable, so tests wait on
    a fake clock instead of the wall clock. The schedule does not depend on the
    sleep really passing: after a wait the request counts as sent on time.
    """

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.clock = clock
        self.sleep = sleep
        self._due: float | None = None  # the "theoretical arrival time" of the next request
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Waits until one more request may go; returns the seconds waited."""
        with self._lock:
            now = self.clock()
            due = now if self._due is None else max(self._due, now)
            wait = due - self.tolerance - now
            if wait > 0:
                self.sleep(wait)
            else:
                wait = 0.0
            self._due = due + self.interval
            return wait
