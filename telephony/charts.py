"""Calls per day, answered vs missed, as plain SVG geometry the template draws (no JS library)."""

from __future__ import annotations

from dataclasses import dataclass

from .selectors import DayCount

WIDTH = 720
HEIGHT = 180
MARGIN_LEFT = 36
MARGIN_BOTTOM = 22
MARGIN_TOP = 8


@dataclass
class Bar:
    label: str
    x: float
    width: float
    answered_y: float
    answered_height: float
    missed_y: float
    missed_height: float
    answered: int
    missed: int
    show_label: bool


@dataclass
class Chart:
    bars: list[Bar]
    max_value: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    baseline: float = HEIGHT - MARGIN_BOTTOM
    top: int = MARGIN_TOP
    answered: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.missed


def day_chart(days: list[DayCount]) -> Chart:
    peak = max((d.total for d in days), default=0) or 1
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = (WIDTH - MARGIN_LEFT) / max(len(days), 1)
    label_every = max(1, round(len(days) / 10))
    bars = []
    for index, day in enumerate(days):
        answered_h = plot_height * day.answered / peak
        missed_h = plot_height * day.missed / peak
        base = HEIGHT - MARGIN_BOTTOM
        bars.append(
            Bar(
                label=day.day.strftime("%d.%m"),
                x=round(MARGIN_LEFT + index * slot + slot * 0.1, 2),
                width=round(max(slot * 0.8, 1), 2),
                answered_y=round(base - answered_h, 2),
                answered_height=round(answered_h, 2),
                missed_y=round(base - answered_h - missed_h, 2),
                missed_height=round(missed_h, 2),
                answered=day.answered,
                missed=day.missed,
                show_label=index % label_every == 0,
            )
        )
    return Chart(
        bars=bars,
        max_value=peak if days else 0,
        answered=sum(d.answered for d in days),
        missed=sum(d.missed for d in days),
    )
