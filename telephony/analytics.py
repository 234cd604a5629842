"""The figures of the calls analytics page, each computed by the database.

Every figure is an aggregate query over the filtered calls of one period; Python
only folds the per-UTC-hour counts (at most 24 rows a day) into the team's days
and hours, never loops over calls.

Definitions, the same on the page, in the exports and in the emailed report:

- **answered**: the provider's disposition says so; **missed**: not answered
  (no answer, busy or failed), as on the calls page's chart.
- **talk time**: of an answered call only. A PBX record counts its ``billsec``
  (``billed_seconds``: from answer to hang-up; ``duration`` includes the ringing),
  a telephone record its ``duration`` (from connect to disconnect).
- **wait**: from the start of the call to its answer. Only PBX records carry it
  (``duration - billsec``); the telephone history starts a call at its connect time,
  so its calls have no wait and are left out of the average.
- **line**: our side of a call: the number or extension called for an incoming call,
  the caller for the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from accounts.models import ProviderAccount, Team

from .models import MISSED, CallRecord, Direction, Disposition, Source
from .numbers import normalize_prefix
from .selectors import DayCount, UtcHour

ANSWERED_Q = Q(disposition=Disposition.ANSWERED)
MISSED_Q = Q(disposition__in=MISSED)
WAIT_Q = ANSWERED_Q & Q(source=Source.PBX)

TALK = Case(
    When(ANSWERED_Q & Q(source=Source.PBX), then=F("billed_seconds")),
    When(ANSWERED_Q, then=F("duration")),
    default=Value(0),
    output_field=IntegerField(),
)
WAIT = Case(When(WAIT_Q, then=F("duration") - F("billed_seconds")), default=Value(0), output_field=IntegerField())
LINE = Case(When(direction=Direction.INCOMING, then=F("callee")), default=F("caller"), output_field=CharField())

TOP_ROWS = 10


@dataclass(frozen=True)
class Period:
    """Whole days of the team's calendar, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def start(self, zone: tzinfo) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=zone)

    def end(self, zone: tzinfo) -> datetime:
        """The first moment after the period (exclusive), so the last day counts whole."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class Filters:
    account: ProviderAccount | None = None
    direction: str = ""
    number: str = ""  # a number or extension; matches the start of the caller or the callee


def period_calls(team: Team, period: Period, filters: Filters, zone: tzinfo) -> QuerySet[CallRecord]:
    """The team's calls that started within ``period`` (days of ``zone``) and match ``filters``."""
    calls = CallRecord.objects.filter(team=team, start__gte=period.start(zone), start__lt=period.end(zone))
    if filters.account is not None:
        calls = calls.filter(account=filters.account)
    if filters.direction:
        calls = calls.filter(direction=filters.direction)
    number = filters.number.strip()
    if number:
        prefix = normalize_prefix(number) or number
        calls = calls.filter(Q(caller__startswith=prefix) | Q(callee__startswith=prefix))
    return calls.order_by()


@dataclass
class Summary:
    total: int
    answered: int
    missed: int
    talk_seconds: int
    average_talk: float | None
    median_talk: float | None
    average_wait: float | None  # None when no answered call carries a wait (no PBX record)
    calls_with_wait: int

    @property
    def answer_rate(self) -> float | None:
        """ASR: answered / all calls, as a percentage."""
        return 100 * self.answered / self.total if self.total else None


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated between the two middle values."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median_talk(calls: QuerySet[CallRecord], answered: int) -> float | None:
    """The median talk time of the answered calls in ``calls`` (``answered`` of them)."""
    if not answered:
        return None
    answered_calls = calls.filter(ANSWERED_Q)
    if connection.vendor == "postgresql":
        return answered_calls.aggregate(median=Median(TALK))["median"]
    # Elsewhere: the one or two middle values, found by the database's ORDER BY … OFFSET.
    middle = (answered - 1) // 2
    count = 1 if answered % 2 else 2
    values = list(
        answered_calls.annotate(talk=TALK).order_by("talk").values_list("talk", flat=True)[middle : middle + count]
    )
    return sum(values) / len(values)


def summary(calls: QuerySet[CallRecord]) -> Summary:
    figures = calls.aggregate(
        total=Count("id"),
        answered=Count("id", filter=ANSWERED_Q),
        missed=Count("id", filter=MISSED_Q),
        talk_seconds=Sum(TALK, filter=ANSWERED_Q),
        average_talk=Avg(TALK, filter=ANSWERED_Q),
        average_wait=Avg(WAIT, filter=WAIT_Q),
        calls_with_wait=Count("id", filter=WAIT_Q),
    )
    return Summary(
        total=figures["total"],
        answered=figures["answered"],
        missed=figures["missed"],
        talk_seconds=figures["talk_seconds"] or 0,
        average_talk=_float(figures["average_talk"]),
        median_talk=median_talk(calls, figures["answered"]),
        average_wait=_float(figures["average_wait"]),
        calls_with_wait=figures["calls_with_wait"],
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass
class HourCells:
    """Calls by weekday (0 = Monday) and hour of the team's zone: ``counts[weekday][hour]``."""

    counts: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])

    @property
    def peak(self) -> int:
        return max(max(row) for row in self.counts)


@dataclass
class Timeline:
    days: list[DayCount]
    hours: HourCells


def timeline(calls: QuerySet[CallRecord], period: Period, zone: tzinfo) -> Timeline:
    """Answered and missed calls per day of the period (every day, empty ones too) and per weekday × hour.

    One GROUP BY over the UTC hour of the start, folded into the zone here. Exact
    for zones whose offset is whole hours (Türkiye's and most); in a zone with a
    half-hour offset a call in the second half of a UTC hour would be shown an hour early.
    """
    by_day = {day: DayCount(day=day, answered=0, missed=0) for day in period.each_day()}
    hours = HourCells()
    rows = (
        calls.annotate(hour=UtcHour("start"))
        .values("hour")
        .annotate(answered=Count("id", filter=ANSWERED_Q), missed=Count("id", filter=MISSED_Q))
    )
    for row in rows:
        moment = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone)
        bucket = by_day.get(moment.date())
        if bucket is None:  # a boundary hour of a zone with a fractional offset
            continue
        bucket.answered += row["answered"]
        bucket.missed += row["missed"]
        hours.counts[moment.weekday()][moment.hour] += row["answered"] + row["missed"]
    return Timeline(days=list(by_day.values()), hours=hours)


def day_totals(calls: QuerySet[CallRecord], period: Period, zone: tzinfo) -> list[int]:
    """Calls per day of ``period`` (the previous period's line on the trend chart)."""
    return [day.total for day in timeline(calls, period, zone).days]


def by_line(calls: QuerySet[CallRecord]) -> QuerySet[Any, Any]:
    """Per line (our number or extension): calls, answered, missed, talk time, average wait; busiest first."""
    return (
        calls.annotate(line=LINE)
        .values("line")
        .annotate(
            calls=Count("id"),
            answered=Count("id", filter=ANSWERED_Q),
            missed=Count("id", filter=MISSED_Q),
            talk_seconds=Sum(TALK, filter=ANSWERED_Q, default=0),
            average_wait=Avg(WAIT, filter=WAIT_Q),
        )
        .order_by("-calls", "line")
    )


def longest_calls(calls: QuerySet[CallRecord], limit: int = TOP_ROWS) -> QuerySet[Any, Any]:
    return (
        calls.filter(ANSWERED_Q)
        .annotate(talk=TALK, account_label=F("account__label"))
        .order_by("-talk", "-start", "-id")
        .values("id", "start", "direction", "caller", "callee", "talk", "account_label")[:limit]
    )


def top_callers(calls: QuerySet[CallRecord], limit: int = TOP_ROWS) -> QuerySet[Any, Any]:
    """The numbers that called in most often (incoming calls), with how many of their calls were answered."""
    return (
        calls.filter(direction=Direction.INCOMING)
        .exclude(caller="")
        .values("caller")
        .annotate(calls=Count("id"), answered=Count("id", filter=ANSWERED_Q), missed=Count("id", filter=MISSED_Q))
        .order_by("-calls", "caller")[:limit]
    )
