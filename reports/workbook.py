"""The report's XLSX attachment: one sheet, a section per area, through the portal's one XLSX writer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import tzinfo
from typing import Any

from django.utils.translation import gettext as _

from core.exports import xlsx_stream

from .figures import ReportFigures


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def report_rows(figures: ReportFigures) -> Iterator[Sequence[Any]]:
    calls, sms, fax = figures.calls, figures.sms, figures.fax
    yield (_("Period"), figures.period.first, figures.period.last)
    yield ()
    yield (_("Calls"),)
    yield (_("Calls"), calls.total)
    yield (_("Answered"), calls.answered)
    yield (_("Missed"), calls.missed)
    yield (_("Answer rate (ASR, %)"), rounded(calls.answer_rate))
    yield (_("Talk time (s)"), calls.talk_seconds)
    yield (_("Average talk time (s)"), rounded(calls.average_talk))
    yield (_("Median talk time (s)"), rounded(calls.median_talk))
    yield (_("Average wait (s, PBX calls)"), rounded(calls.average_wait))
    yield (_("Call spend (telephone history)"), figures.call_spend)
    yield ()
    yield (_("SMS"),)
    yield (_("SMS batches"), sms.batches)
    yield (_("Recipients"), sms.recipients)
    yield (_("SMS sent (parts)"), sms.parts_sent)
    yield (_("Delivered"), sms.delivered)
    for currency, spend in sms.spend.items():
        yield (_("SMS spend (delivery reports)"), spend, currency)
    yield ()
    yield (_("Fax"),)
    yield (_("Faxes sent"), fax.sent)
    yield (_("Pages sent"), fax.pages_sent)
    yield (_("Faxes failed"), fax.failed)
    yield (_("Faxes received"), fax.received)
    yield (_("Pages received"), fax.pages_received)


def report_workbook(figures: ReportFigures, zone: tzinfo) -> bytes:
    """The XLSX bytes, in the active language."""
    headers = (_("Figure"), _("Value"), "")
    return b"".join(xlsx_stream(headers, report_rows(figures), zone, sheet_name=_("Report")))
