from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableListData

from core.list_formats import local_datetime_formatter, url_with_pk

from .models import CallRecord, Direction, Disposition
from .numbers import display_number
from .recording_access import CallNumbers
from .selectors import DIRECTION_LABELS, DISPOSITION_LABELS, CallRow

DISPOSITION_BADGES: dict[str, str] = {
    Disposition.ANSWERED: "text-bg-success",
    Disposition.NO_ANSWER: "text-bg-warning",
    Disposition.BUSY: "text-bg-secondary",
    Disposition.FAILED: "text-bg-danger",
}
DIRECTION_ICONS: dict[str, str] = {
    Direction.INCOMING: "bi-telephone-inbound",
    Direction.OUTGOING: "bi-telephone-outbound",
    Direction.INTERNAL: "bi-arrow-left-right",
    Direction.UNKNOWN: "bi-question",
}


def duration_text(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class KeysetRows(TableListData):
    """A keyset page, already in the database's order: the table must neither re-sort nor paginate it.

    Sorting in Python could order text differently from the database's collation, and
    a second pager over the page would hide the rows beyond its first window.
    """

    def order_by(self, aliases: Any) -> None:
        return None


class CallTable(tables.Table):
    start = tables.Column(verbose_name=_("Start"))
    direction = tables.Column(verbose_name=_("Dir."), orderable=False)
    caller = tables.Column(verbose_name=_("Caller"))
    callee = tables.Column(verbose_name=_("Callee"))
    duration = tables.Column(verbose_name=_("Duration"))
    disposition = tables.Column(verbose_name=_("Result"), orderable=False)
    account = tables.Column(verbose_name=_("Account"), accessor="account_label", orderable=False)
    recording = tables.Column(verbose_name=_("Recording"), accessor="pk", orderable=False, empty_values=())

    class Meta:
        model = CallRecord
        fields = ("start", "direction", "caller", "callee", "duration", "disposition", "account", "recording")
        order_by_field = "sort"
        template_name = "telephony/_call_table.html"
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "calls-table"}

    def __init__(self, *args: Any, playable: Callable[[CallNumbers], bool] = lambda call: False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.playable = playable  # recording_access: may the member looking hear this call's recording

    def lines(self) -> list[CallLine]:
        """The page's rows with every cell's text worked out, for the lean row template (``_call_table.html``).

        django-tables2 drew each of the 400 cells through a bound cell, a ``render_*`` call with its
        signature inspected and a template variable per attribute: most of the page's time (see
        docs/performance.md). Here the work that is the same for every row (labels, the detail URL, the date
        format and time zone, who may listen) is done once, each distinct number is formatted once.
        """
        rows: list[CallRow] = list(self.data)
        shown = local_datetime_formatter()
        detail = url_with_pk("calls-detail")
        recording = url_with_pk("calls-recording")
        directions = {
            key: (DIRECTION_ICONS.get(key, "bi-question"), str(text)) for key, text in DIRECTION_LABELS.items()
        }
        results = {
            key: (DISPOSITION_BADGES.get(key, "text-bg-light"), str(text)) for key, text in DISPOSITION_LABELS.items()
        }
        numbers = {number: display_number(number) for row in rows for number in (row.caller, row.callee)}
        lines = []
        for row in rows:
            icon, direction = directions.get(row.direction, ("bi-question", row.direction))
            badge, result = results.get(row.disposition, ("text-bg-light", row.disposition))
            if not row.has_recording:
                play = ""
            elif self.playable(row):
                play = recording(row.id)
            else:
                play = LOCKED
            lines.append(
                CallLine(
                    detail_url=detail(row.id), start=shown(row.start), direction_icon=icon, direction=direction,
                    caller=numbers[row.caller], callee=numbers[row.callee], duration=duration_text(row.duration),
                    result_badge=badge, result=result, account=row.account_label or "—", recording=play,
                )
            )  # fmt: skip
        return lines


LOCKED = "locked"  # CallLine.recording of a call whose recording the member may not hear


@dataclass(frozen=True, slots=True)
class CallLine:
    """One row of the calls list as the template shows it; ``recording`` is the player's URL, "" when the
    call has none, ``LOCKED`` when the member may not listen."""

    detail_url: str
    start: str
    direction_icon: str
    direction: str
    caller: str
    callee: str
    duration: str
    result_badge: str
    result: str
    account: str
    recording: str
