from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableListData

from .models import CallRecord, Direction, Disposition
from .numbers import display_number

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

    def __init__(self, *args: Any, playable: Callable[[CallRecord], bool] = lambda call: False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.playable = playable  # recording_access.recording_permitted for the member looking

    def render_start(self, value: Any, record: CallRecord) -> str:
        text = date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        return format_html('<a href="{}">{}</a>', reverse("calls-detail", args=[record.pk]), text)

    def render_direction(self, value: str, record: CallRecord) -> str:
        return format_html(
            '<i class="bi {}" title="{}"></i><span class="visually-hidden">{}</span>',
            DIRECTION_ICONS.get(record.direction, "bi-question"),  # ``value`` is the display text
            record.get_direction_display(),
            record.get_direction_display(),
        )

    def render_caller(self, value: str) -> str:
        return display_number(value)

    def render_callee(self, value: str) -> str:
        return display_number(value)

    def render_duration(self, value: int) -> str:
        return duration_text(value)

    def render_disposition(self, value: str, record: CallRecord) -> str:
        return format_html(
            '<span class="badge {}">{}</span>',
            DISPOSITION_BADGES.get(record.disposition, "text-bg-light"),
            record.get_disposition_display(),
        )

    def render_recording(self, value: int, record: CallRecord) -> str:
        if not record.has_recording:
            return "—"
        if not self.playable(record):
            text = _("You may not listen to this recording")
            return format_html(
                '<i class="bi bi-lock" title="{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
                text,
                text,
            )
        return format_html(
            '<button type="button" class="btn btn-sm btn-outline-primary" data-play="{}" aria-label="{}">'
            '<i class="bi bi-play-fill"></i></button>',
            reverse("calls-recording", args=[record.pk]),
            _("Play recording"),
        )
