"""`--at` (and so `make test-late`) starts the run at a chosen hour."""

from datetime import UTC, datetime

import pytest

from tests.conftest import start_of_run


def test_a_bare_time_is_that_time_today_in_istanbul() -> None:
    late = start_of_run("23:30", today=datetime(2026, 11, 30, 20, 0, tzinfo=UTC))

    assert late.astimezone(UTC) == datetime(2026, 11, 30, 20, 30, tzinfo=UTC)


def test_the_day_is_istanbul_s_day_not_utc_s() -> None:
    # 22:00 UTC is already 1 December in Istanbul.
    late = start_of_run("23:30", today=datetime(2026, 11, 30, 22, 0, tzinfo=UTC))

    assert late.astimezone(UTC) == datetime(2026, 12, 1, 20, 30, tzinfo=UTC)


def test_a_full_date_time_keeps_its_zone() -> None:
    assert start_of_run("2026-11-30T23:30+03:00") == datetime(2026, 11, 30, 20, 30, tzinfo=UTC)


def test_a_date_time_without_zone_is_refused() -> None:
    with pytest.raises(pytest.UsageError):
        start_of_run("2026-11-30T23:30")
