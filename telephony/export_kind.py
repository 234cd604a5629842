"""The calls list's background export (``core.export_kinds``): its filters fixed when asked, the COPY writer
for a CSV on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.export_kinds import ExportKind, FastWriter, Params, job_params, params_query
from core.filter_words import Words, form_words

from . import export, export_copy
from .filters import CallFilter
from .models import CallRecord
from .selectors import export_rows


def fixed_filters(call_filter: CallFilter, data: QueryDict) -> dict[str, list[str]]:
    """The filters as the worker will apply them: a period relative to today becomes its dates now."""
    fixed = data.copy()
    date_from, date_to = call_filter.date_range
    if fixed.get("preset") not in ("all", "custom") and (date_from or date_to):
        fixed["preset"] = "custom"
        fixed["date_from"] = date_from.isoformat() if date_from else ""
        fixed["date_to"] = date_to.isoformat() if date_to else ""
    return job_params(fixed)


def _filter(team: Team, params: Params) -> CallFilter:
    return CallFilter(params_query(params), queryset=team.call_records.all(), team=team)


def _calls(team: Team, params: Params) -> QuerySet[CallRecord] | None:
    call_filter = _filter(team, params)
    return call_filter.qs if call_filter.is_valid() else None


def _words(team: Team, params: Params) -> Words:
    """The filters in words: a period relative to today by its dates, as the job reads it; the number's match
    ("starts with", "contains") only beside a number."""
    call_filter = _filter(team, params)
    if not call_filter.is_valid():
        return []
    fixed = fixed_filters(call_filter, params_query(params))
    if not "".join(fixed.get("number", [])).strip():
        fixed.pop("match", None)
    return form_words(_filter(team, fixed).form)


def _rows(calls: QuerySet[CallRecord]) -> Iterator[list[Any]]:
    return export.labelled_rows(export_rows(calls))


def _fast_writer(file_format: str) -> FastWriter | None:
    return export_copy.write_csv if export_copy.applies(file_format) else None


CALLS = ExportKind(
    name="calls",
    label=_("Calls export"),
    permission="view",
    queryset=_calls,
    headers=export.headers,
    rows=_rows,
    filename=lambda params: "calls",
    sheet_name=_("Calls"),
    back_url=lambda params: reverse("calls-list"),
    fast_writer=_fast_writer,
    described=_words,
    audit_action="calls.export",
)
