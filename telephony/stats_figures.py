"""The analytics page's figures for one period: days the rollup covers read from it, the others from the records.

Each figure is merged from the two parts by adding counts and sums; averages are sums over counts,
the median comes from the merged talk-time counts. A period that only the records can answer (a
number filter, or no rollup yet) is read as ``analytics`` reads it (``percentile_cont`` and all).
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cached_property
from typing import Any

from django.db.models import Count, QuerySet, Sum

from accounts.models import Team

from . import analytics
from .analytics import ANSWERED_Q, LINE, MISSED_Q, TALK, TOP_ROWS, WAIT, WAIT_Q, Filters, Period
from .models import CallRecord
from .selectors import DayCount
from .stats_rollup import rolled, rolled_up_days

LINE_SUMS = ("calls", "answered", "missed", "talk_seconds", "wait_seconds", "wait_calls")


def live_line_sums(calls: QuerySet[CallRecord]) -> QuerySet[Any, Any]:
    return (
        calls.annotate(line=LINE)
        .values("line")
        .annotate(
            calls=Count("id"),
            answered=Count("id", filter=ANSWERED_Q),
            missed=Count("id", filter=MISSED_Q),
            talk_seconds=Sum(TALK, filter=ANSWERED_Q, default=0),
            wait_seconds=Sum(WAIT, filter=WAIT_Q, default=0),
            wait_calls=Count("id", filter=WAIT_Q),
        )
    )


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of values given as {value: how many times}."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return sum(found) / 2


class StatsFigures:
    def __init__(self, team: Team, period: Period, filters: Filters, zone: tzinfo) -> None:
        self.team, self.period, self.filters, self.zone = team, period, filters, zone
        self.rolled_period, self.live_period = rolled_up_days(team, period, filters, zone)
        self.rolled = rolled(team, self.rolled_period, filters) if self.rolled_period else None
        self.live = analytics.period_calls(team, self.live_period, filters, zone) if self.live_period else None

    @property
    def all_calls(self) -> QuerySet[CallRecord]:
        return analytics.period_calls(self.team, self.period, self.filters, self.zone)

    @cached_property
    def summary(self) -> analytics.Summary:
        if self.rolled is None:
            return analytics.summary(self.all_calls)
        sums = {"total": 0, "answered": 0, "missed": 0, "talk_seconds": 0, "wait_seconds": 0, "wait_calls": 0}
        rolled_sums = self.rolled.hours.aggregate(
            total=Sum("calls", default=0),
            answered=Sum("answered", default=0),
            missed=Sum("missed", default=0),
            talk_seconds=Sum("talk_seconds", default=0),
            wait_seconds=Sum("wait_seconds", default=0),
            wait_calls=Sum("wait_calls", default=0),
        )
        talks: dict[int, int] = {}
        for row in self.rolled.talks.values("talk").annotate(n=Sum("calls")):
            talks[row["talk"]] = talks.get(row["talk"], 0) + row["n"]
        parts = [rolled_sums]
        if self.live is not None:
            parts.append(
                self.live.aggregate(
                    total=Count("id"),
                    answered=Count("id", filter=ANSWERED_Q),
                    missed=Count("id", filter=MISSED_Q),
                    talk_seconds=Sum(TALK, filter=ANSWERED_Q, default=0),
                    wait_seconds=Sum(WAIT, filter=WAIT_Q, default=0),
                    wait_calls=Count("id", filter=WAIT_Q),
                )
            )
            for row in self.live.filter(ANSWERED_Q).annotate(talk=TALK).values("talk").annotate(n=Count("id")):
                talks[row["talk"]] = talks.get(row["talk"], 0) + row["n"]
        for part in parts:
            for key in sums:
                sums[key] += part[key] or 0
        answered, wait_calls = sums["answered"], sums["wait_calls"]
        return analytics.Summary(
            total=sums["total"],
            answered=answered,
            missed=sums["missed"],
            talk_seconds=sums["talk_seconds"],
            average_talk=sums["talk_seconds"] / answered if answered else None,
            median_talk=median_of_counts(talks),
            average_wait=sums["wait_seconds"] / wait_calls if wait_calls else None,
            calls_with_wait=wait_calls,
        )

    @cached_property
    def timeline(self) -> analytics.Timeline:
        if self.rolled is None:
            return analytics.timeline(self.all_calls, self.period, self.zone)
        by_day = {day: DayCount(day=day, answered=0, missed=0) for day in self.period.each_day()}
        hours = analytics.HourCells()
        rows = self.rolled.hours.values("day", "hour").annotate(answered=Sum("answered"), missed=Sum("missed"))
        for row in rows:
            bucket = by_day[row["day"]]
            bucket.answered += row["answered"]
            bucket.missed += row["missed"]
            hours.counts[row["day"].weekday()][row["hour"]] += row["answered"] + row["missed"]
        if self.live is not None and self.live_period is not None:
            live = analytics.timeline(self.live, self.live_period, self.zone)
            for day in live.days:
                by_day[day.day].answered += day.answered
                by_day[day.day].missed += day.missed
            for weekday, counts in enumerate(live.hours.counts):
                for hour, count in enumerate(counts):
                    hours.counts[weekday][hour] += count
        return analytics.Timeline(days=list(by_day.values()), hours=hours)

    @cached_property
    def lines(self) -> list[dict[str, Any]]:
        """Per line: calls, answered, missed, talk seconds, average wait (None without a PBX answer); busiest first."""
        merged: dict[str, dict[str, Any]] = {}
        sources: list[Any] = []
        if self.rolled is not None:
            sources.append(self.rolled.hours.values("line").annotate(**{key: Sum(key) for key in LINE_SUMS}))
        if self.live is not None:
            sources.append(live_line_sums(self.live))
        for source in sources:
            for row in source:
                line = merged.setdefault(row["line"], {"line": row["line"], **dict.fromkeys(LINE_SUMS, 0)})
                for key in LINE_SUMS:
                    line[key] += row[key] or 0
        for line in merged.values():
            line["average_wait"] = line["wait_seconds"] / line["wait_calls"] if line["wait_calls"] else None
        return sorted(merged.values(), key=lambda line: (-line["calls"], line["line"]))

    @cached_property
    def longest(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if self.rolled is not None and self.rolled_period is not None:
            # The tenth longest call is at least as long as the tenth longest group's longest call, and a
            # call's talk never exceeds its duration (ringing + talk), which the (team, duration) index serves.
            maxima = self.rolled.hours.filter(max_talk__gt=0).order_by("-max_talk").values_list("max_talk", flat=True)
            floor = maxima[TOP_ROWS - 1] if maxima.count() >= TOP_ROWS else 0
            calls = analytics.period_calls(self.team, self.rolled_period, self.filters, self.zone)
            found += list(analytics.longest_calls(calls.filter(duration__gte=floor)))
        if self.live is not None:
            found += list(analytics.longest_calls(self.live))
        found.sort(key=lambda row: (-row["talk"], -row["start"].timestamp(), -row["id"]))
        return found[:TOP_ROWS]

    @cached_property
    def callers(self) -> list[dict[str, Any]]:
        """Always from the records: the rollup keeps no caller's number (see stats_models)."""
        return list(analytics.top_callers(self.all_calls))
