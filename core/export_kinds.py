"""The lists whose export may run as a background job, each registered once by the app that owns it.

A list's export streams in the request while it is small (``core.exports.export_response``). Beyond
``EXPORT_BACKGROUND_ROWS`` rows a proxy's or a worker's timeout could cut the response short while the
browser keeps an HTTP 200 file, so the page redirects to ``exportjobs`` (``background_redirect``), whose page
says what will be exported; its Start button (a POST) records a job and lets a worker write the file. The
worker knows nothing of calls, SMS, faxes or the audit log: it asks the list's ``ExportKind`` for the rows of
the team and the filters as they were asked.

The registry lives here, in ``core``, so every app can register its kind in ``AppConfig.ready``
(``accounts`` included, which sits below the job machinery).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.functional import Promise

from .exports import EXPORT_PARAM, EXPORT_PARAMS
from .filter_words import Words

Params = Mapping[str, list[str]]  # the list's query as asked: QueryDict.lists()
# Never part of a job's filters: the format, the list's page and keyset positions, htmx's cache buster.
NOT_FILTERS = (*EXPORT_PARAMS, "page", "after", "before", "_")


class FastWriter(Protocol):
    """A kind's own writer for one format (the calls CSV through PostgreSQL's COPY); returns the rows written."""

    def __call__(
        self, target: IO[bytes], *, queryset: QuerySet[Any], team_id: int, zone_name: str,
        progress: Callable[[int], object], every: int,
    ) -> int: ...  # fmt: skip


def _no_fast_writer(file_format: str) -> FastWriter | None:
    return None


def _no_words(team: Any, params: Params) -> Words:
    return []


@dataclass(frozen=True)
class ExportKind:
    """What the worker needs to write one list's export, whoever asked for it.

    ``queryset(team, params)`` starts from the team and applies the saved filters (None when they are no longer
    valid; ``Http404`` when the object they name is gone); ``rows`` reads it lazily, as the direct export does.
    """

    name: str  # in URLs and in the job row: "calls", "sms-batches"…
    label: str | Promise  # the page's title and the notification's subject: "Calls export"
    permission: str  # the list's own
    queryset: Callable[[Any, Params], QuerySet[Any] | None]
    headers: Callable[[], Sequence[Any]]
    rows: Callable[[QuerySet[Any]], Iterable[Sequence[Any]]]
    filename: Callable[[Params], str]  # the file's name before its time stamp: "calls", "sms-12"
    sheet_name: str | Promise
    back_url: Callable[[Params], str]  # the list the export came from
    fast_writer: Callable[[str], FastWriter | None] = _no_fast_writer
    # The filters in words for the page that confirms the export before it starts (``core.filter_words``).
    described: Callable[[Any, Params], Words] = _no_words
    # The audit event a started job records, as the list's streamed export records it ("calls.export"); "": none.
    audit_action: str = ""


_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    _KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind | None:
    return _KINDS.get(name)


def export_kinds() -> list[ExportKind]:
    return list(_KINDS.values())


def too_large_to_stream(queryset: QuerySet[Any]) -> bool:
    """More rows than ``EXPORT_BACKGROUND_ROWS`` (asked without counting them all)."""
    limit = settings.EXPORT_BACKGROUND_ROWS
    return queryset.order_by().values("pk")[limit : limit + 1].exists()


def job_params(data: QueryDict, **extra: str) -> dict[str, list[str]]:
    """A list's query as a background job keeps it: its filters, and ``extra`` (the batch a list belongs to)."""
    params = {name: values for name, values in data.lists() if name not in NOT_FILTERS}
    params.update({name: [value] for name, value in extra.items()})
    return params


def params_query(params: Params) -> QueryDict:
    """A job's saved filters as the query a list's filter reads."""
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    return query


def background_redirect(kind: str, file_format: str, params: Params) -> HttpResponseRedirect:
    """To the page that confirms ``kind``'s background export of ``params`` and starts it (``exportjobs``' start
    view: its GET only shows what will be exported, its POST starts it)."""
    query = params_query(params)
    query[EXPORT_PARAM] = file_format
    return HttpResponseRedirect(f"{reverse('export-start', args=[kind])}?{query.urlencode()}")
