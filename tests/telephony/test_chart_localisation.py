"""SVG charts draw with dots in their numbers whatever the language (Turkish writes 12,5)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils import translation

from telephony.charts import day_chart
from telephony.selectors import DayCount

COMMA_NUMBER = re.compile(r'="-?\d+,\d+"')


def test_the_calls_chart_keeps_dot_decimals_in_turkish() -> None:
    days = [DayCount(day=date(2026, 11, 1) + timedelta(days=i), answered=i * 3 + 1, missed=i) for i in range(14)]
    chart = day_chart(days)
    with translation.override("tr"):
        html = render_to_string("telephony/_chart.html", {"chart": chart})
    assert "<rect" in html
    assert not COMMA_NUMBER.search(html), COMMA_NUMBER.search(html)
    assert re.search(r'x="\d+\.\d+"', html)  # fractional coordinates are there, written with a dot
