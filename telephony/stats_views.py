"""``/calls/stats/``: the calls analytics page and the CSV/XLSX of each of its tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from accounts.access import TeamView
from core import exports
from core.lists import page_of

from . import analytics
from .models import Direction
from .numbers import display_number
from .selectors import DayCount
from .stats_charts import heatmap, trend_chart
from .stats_figures import StatsFigures
from .stats_forms import StatsForm
from .tables import duration_text

LINES_PER_PAGE = 25
EXPORT_TABLES = ("summary", "days", "hours", "lines", "longest", "callers")
DIRECTION_LABELS = dict(Direction.choices)


@dataclass
class Table:
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summary_table(summary: analytics.Summary) -> Table:
    rate = summary.answer_rate
    return Table(
        headers=[_("Figure"), _("Value")],
        rows=[
            (_("Calls"), summary.total),
            (_("Answered"), summary.answered),
            (_("Missed"), summary.missed),
            (_("Answer rate (ASR, %)"), None if rate is None else round(rate, 1)),
            (_("Talk time (s)"), summary.talk_seconds),
            (_("Average talk time (s)"), seconds(summary.average_talk)),
            (_("Median talk time (s)"), seconds(summary.median_talk)),
            (_("Average wait (s, PBX calls)"), seconds(summary.average_wait)),
        ],
    )


def days_table(days: list[DayCount], previous_days: list[Any], previous: list[int]) -> Table:
    return Table(
        headers=[_("Day"), _("Answered"), _("Missed"), _("Calls"), _("Day of the previous period"), _("Calls then")],
        rows=[
            (day.day, day.answered, day.missed, day.total, before, then)
            for day, before, then in zip(days, previous_days, previous, strict=True)
        ],
    )


def hours_table(cells: analytics.HourCells) -> Table:
    return Table(
        headers=[_("Weekday"), *[f"{hour:02d}" for hour in range(24)]],
        rows=[(str(WEEKDAYS[weekday]), *counts) for weekday, counts in enumerate(cells.counts)],
    )


def line_row(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        display_number(row["line"]),
        row["calls"],
        row["answered"],
        row["missed"],
        row["talk_seconds"],
        seconds(row["average_wait"]),
    )


def lines_table(rows: Iterable[dict[str, Any]]) -> Table:
    headers = [_("Number or extension"), _("Calls"), _("Answered"), _("Missed"), _("Talk time (s)")]
    return Table(headers=[*headers, _("Average wait (s)")], rows=(line_row(row) for row in rows))


def longest_table(rows: Iterable[dict[str, Any]]) -> Table:
    return Table(
        headers=[_("Start"), _("Direction"), _("Caller"), _("Callee"), _("Talk time (s)"), _("Account")],
        rows=[
            (
                row["start"],
                str(DIRECTION_LABELS.get(row["direction"], row["direction"])),
                display_number(row["caller"]),
                display_number(row["callee"]),
                row["talk"],
                row["account_label"],
            )
            for row in rows
        ],
    )


def callers_table(rows: Iterable[dict[str, Any]]) -> Table:
    return Table(
        headers=[_("Caller"), _("Calls"), _("Answered"), _("Missed")],
        rows=[(display_number(row["caller"]), row["calls"], row["answered"], row["missed"]) for row in rows],
    )


class CallStatsView(TeamView):
    permission = "view"
    template_name = "telephony/stats.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = StatsForm(request.GET, team=self.team)
        context: dict[str, Any] = {"form": form, "query": self.query()}
        if not form.is_valid():
            return render(request, self.template_name, context)
        zone = timezone.get_current_timezone()
        period, filters = form.period, form.filters()
        figures = StatsFigures(self.team, period, filters, zone)
        table = request.GET.get("table")
        file_format = exports.requested_format(request.GET)
        if file_format:
            if table not in EXPORT_TABLES:
                raise Http404
            return self.export(file_format, table, figures)
        summary = figures.summary
        context.update(period=period, summary=summary)
        if summary.total:
            context.update(self.figures(figures, summary))
        return render(request, self.template_name, context)

    def query(self) -> str:
        data = self.request.GET.copy()
        for key in (*exports.EXPORT_PARAMS, "table", "page"):
            data.pop(key, None)
        return data.urlencode()

    def previous(self, figures: StatsFigures) -> tuple[analytics.Period, list[int]]:
        """The period of the same length just before, and its calls per day."""
        period = figures.period.previous()
        before = StatsFigures(self.team, period, figures.filters, figures.zone)
        return period, [day.total for day in before.timeline.days]

    def figures(self, figures: StatsFigures, summary: analytics.Summary) -> dict[str, Any]:
        timeline = figures.timeline
        previous_period, previous = self.previous(figures)
        lines = page_of(self.request, figures.lines, per_page=LINES_PER_PAGE)
        return {
            "previous_period": previous_period,
            "trend": trend_chart(timeline.days, previous),
            "days": days_table(timeline.days, previous_period.each_day(), previous),
            "heatmap": heatmap(timeline.hours, [str(WEEKDAYS_ABBR[n]) for n in range(7)]),
            "hours": hours_table(timeline.hours),
            "lines_page": lines,
            "lines": Table(lines_table([]).headers, [line_row(row) for row in lines.object_list]),
            "longest": [
                {
                    **row,
                    "talk_text": duration_text(row["talk"]),
                    "caller_text": display_number(row["caller"]),
                    "callee_text": display_number(row["callee"]),
                }
                for row in figures.longest
            ],
            "summary_text": {
                "average_talk": duration_text(round(summary.average_talk or 0)),
                "median_talk": duration_text(round(summary.median_talk or 0)),
                "talk": duration_text(summary.talk_seconds),
                "average_wait": None if summary.average_wait is None else duration_text(round(summary.average_wait)),
            },
        }

    def export(self, file_format: str, table: str, figures: StatsFigures) -> HttpResponseBase:
        period = figures.period
        if table == "summary":
            data = summary_table(figures.summary)
        elif table == "days":
            previous_period, previous = self.previous(figures)
            data = days_table(figures.timeline.days, previous_period.each_day(), previous)
        elif table == "hours":
            data = hours_table(figures.timeline.hours)
        elif table == "lines":
            data = lines_table(figures.lines)
        elif table == "longest":
            data = longest_table(figures.longest)
        else:
            data = callers_table(figures.callers)
        return exports.export_response(
            file_format=file_format,
            filename=f"call-stats-{table}-{period.first:%Y%m%d}-{period.last:%Y%m%d}",
            headers=data.headers,
            rows=data.rows,
            sheet_name=_("Call statistics"),
        )


class CallStatsCallersView(TeamView):
    """The top callers of the analytics page, loaded after it: the one figure read from the records
    (the rollup keeps no caller's number), so the page never waits for it."""

    permission = "view"
    template_name = "telephony/_stats_callers.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = StatsForm(request.GET, team=self.team)
        if not form.is_valid():
            return render(request, self.template_name, {"callers": callers_table([])})
        figures = StatsFigures(self.team, form.period, form.filters(), timezone.get_current_timezone())
        return render(request, self.template_name, {"callers": callers_table(figures.callers)})
