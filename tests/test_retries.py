"""One retry schedule for SMS chunks and faxes: explicit delays whose count caps the attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.retries import RetrySchedule

SCHEDULE = RetrySchedule(delays=(60, 300))


def test_the_delays_cap_the_attempts() -> None:
    assert SCHEDULE.max_attempts == 3
    assert [SCHEDULE.may_retry(n) for n in (1, 2, 3)] == [True, True, False]


def test_each_retry_waits_its_own_delay_and_the_last_one_past_the_end() -> None:
    assert [SCHEDULE.delay_after(n) for n in (0, 1, 2, 3)] == [60, 60, 300, 300]


def test_the_next_attempt_is_due_after_the_last_one_or_never() -> None:
    at = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert SCHEDULE.next_due(attempts=1, last_attempt_at=at) == at + timedelta(seconds=60)
    assert SCHEDULE.next_due(attempts=2, last_attempt_at=at) == at + timedelta(seconds=300)
    assert SCHEDULE.next_due(attempts=3, last_attempt_at=at) is None
