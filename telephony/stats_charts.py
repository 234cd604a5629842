"""SVG geometry of the analytics page's charts, drawn by its template (no JS library).

The trend reuses the calls page's stacked day bars (``charts.day_chart``) and lays
the previous period's daily totals over them as a line; the heatmap is a 7 × 24 grid.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analytics import HourCells
from .charts import HEIGHT, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_TOP, WIDTH, Chart, day_chart
from .selectors import DayCount


@dataclass
class Trend:
    chart: Chart
    previous_points: str  # SVG polyline points of the previous period's totals, day by day
    previous_total: int


def trend_chart(days: list[DayCount], previous: list[int]) -> Trend:
    peak = max([d.total for d in days] + previous + [1])
    chart = day_chart(days)
    # Both series on one scale: re-draw the bars against the common peak.
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    base = HEIGHT - MARGIN_BOTTOM
    for bar, day in zip(chart.bars, days, strict=True):
        answered_h = plot_height * day.answered / peak
        missed_h = plot_height * day.missed / peak
        bar.answered_y, bar.answered_height = round(base - answered_h, 2), round(answered_h, 2)
        bar.missed_y, bar.missed_height = round(base - answered_h - missed_h, 2), round(missed_h, 2)
    chart.max_value = peak
    slot = (WIDTH - MARGIN_LEFT) / max(len(days), 1)
    points = " ".join(
        f"{round(MARGIN_LEFT + index * slot + slot / 2, 2)},{round(base - plot_height * total / peak, 2)}"
        for index, total in enumerate(previous)
    )
    return Trend(chart=chart, previous_points=points, previous_total=sum(previous))


CELL = 26
HEAT_LEFT = 44
HEAT_TOP = 16


@dataclass
class HeatCell:
    x: int
    y: int
    count: int
    opacity: float
    hour: int


@dataclass
class HeatRow:
    weekday: int
    label: str
    y: int
    cells: list[HeatCell]


@dataclass
class Heatmap:
    rows: list[HeatRow]
    peak: int
    width: int = HEAT_LEFT + 24 * CELL
    height: int = HEAT_TOP + 7 * CELL
    left: int = HEAT_LEFT
    top: int = HEAT_TOP
    cell: int = CELL

    @property
    def hour_labels(self) -> list[tuple[int, int]]:
        """(x, hour) of every third hour, for the axis."""
        return [(HEAT_LEFT + hour * CELL + CELL // 2, hour) for hour in range(0, 24, 3)]


def heatmap(hours: HourCells, weekday_labels: list[str]) -> Heatmap:
    peak = hours.peak
    rows = []
    for weekday, counts in enumerate(hours.counts):
        y = HEAT_TOP + weekday * CELL
        cells = [
            HeatCell(
                x=HEAT_LEFT + hour * CELL,
                y=y,
                count=count,
                # Never fully transparent: an hour with one call must still be seen next to an empty one.
                opacity=round(0.15 + 0.85 * count / peak, 3) if count else 0.0,
                hour=hour,
            )
            for hour, count in enumerate(counts)
        ]
        rows.append(HeatRow(weekday=weekday, label=weekday_labels[weekday], y=y, cells=cells))
    return Heatmap(rows=rows, peak=peak)
