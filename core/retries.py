"""When work a provider turned away for a passing reason is tried again: one schedule for SMS and fax.

A send the provider certainly did not act on (rate limited, unavailable before the
request went out) may be tried again. How often and how long apart is an explicit
list of delays (longer retry schedules belong to the task queue, never to the HTTP
transport, which retries reads only); the list's length caps the attempts. Each
attempt is recorded as a row by the app (``SmsAttempt``, a fax's ``attempt`` event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetrySchedule:
    delays: tuple[int, ...]  # seconds to wait before the 2nd, 3rd, … attempt

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def may_retry(self, attempts: int) -> bool:
        """Whether another attempt may follow ``attempts`` attempts made so far."""
        return attempts < self.max_attempts

    def delay_after(self, attempts: int) -> int:
        """Seconds between attempt number ``attempts`` and the next one (the last delay past the end)."""
        return self.delays[min(max(attempts, 1), len(self.delays)) - 1]

    def next_due(self, *, attempts: int, last_attempt_at: datetime) -> datetime | None:
        """When the next attempt is due after ``attempts`` attempts, the last at ``last_attempt_at``; None: no more."""
        if not self.may_retry(attempts):
            return None
        return last_attempt_at + timedelta(seconds=self.delay_after(attempts))
