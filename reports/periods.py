"""The period a report covers: the last whole week (Monday to Sunday) or month before today."""

from __future__ import annotations

from datetime import date, timedelta

from telephony.analytics import Period

from .models import Frequency


def last_complete_period(frequency: str, today: date) -> Period:
    if frequency == Frequency.WEEKLY:
        this_monday = today - timedelta(days=today.weekday())
        return Period(this_monday - timedelta(days=7), this_monday - timedelta(days=1))
    if frequency == Frequency.MONTHLY:
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    raise ValueError(f"no period for {frequency!r}")
