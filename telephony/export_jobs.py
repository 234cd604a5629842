"""Calls exports too large to stream: a worker writes the file to storage, the page shows progress.

Why not stream 1M rows in the request: a proxy or worker timeout cut the response short while the
browser kept an HTTP 200 file. Here the request only records what was asked (``CallExport``) and
queues ``telephony.write_call_export``; the worker reads the filtered calls and writes the same
CSV or XLSX (``core.exports.export_write``: formula-escaped, times in the team's zone, labels in
the requester's language) to ``exports/<team id>/…`` in default storage, then notifies the
requester with the link. Files are deleted ``EXPORT_KEEP_DAYS`` after they were made.

Reading on PostgreSQL: a CSV is written by ``COPY (SELECT …) TO STDOUT`` whose SELECT formats every
cell as the Python path does (``export_copy``: labels, country names, the team's zone, formula
escaping in SQL), the same bytes at a fraction of the cost. An XLSX (typed cells in XML) is written
row by row: inside ``transaction.atomic`` Django's ``.iterator()`` reads through a named
(server-side) cursor declared without ``WITH HOLD``, so nothing is materialised before the first
row; so is a CSV on SQLite. Progress is kept in the cache while the reading transaction is open
(an UPDATE inside it would be seen by nobody until it commits); with a shared cache (Redis) the
page shows it live.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import IO
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Team, User
from core import exports
from notifications.models import Kind
from notifications.services import notify

from . import export, export_copy
from .export_models import CallExport, ExportState
from .filters import CallFilter
from .models import CallRecord
from .selectors import export_rows
from .team_storage import EXPORTS

log = logging.getLogger(__name__)

FOLDER = EXPORTS  # exports/<team id>/<random>/<file name>: the team's folder, erased with the team
PROGRESS_EVERY = 5_000  # rows between two progress marks


def too_large_to_stream(queryset: QuerySet[CallRecord]) -> bool:
    """More rows than ``EXPORT_BACKGROUND_ROWS`` (asked without counting them all)."""
    limit = settings.EXPORT_BACKGROUND_ROWS
    return queryset.order_by().values("pk")[limit : limit + 1].exists()


def progress_key(export_id: int) -> str:
    return f"telephony:call-export:{export_id}:rows"


def rows_done(job: CallExport) -> int:
    """Rows written so far: the stored count once finished, the worker's mark in the cache before."""
    if job.finished:
        return job.rows_done
    return max(job.rows_done, cache.get(progress_key(job.pk), 0))


def percent(job: CallExport) -> int:
    if job.state == ExportState.DONE:
        return 100
    if not job.rows_total:
        return 0
    return min(99, rows_done(job) * 100 // job.rows_total)


def fixed_filters(call_filter: CallFilter, data: QueryDict) -> dict[str, list[str]]:
    """The filters as the worker will apply them: a period relative to today becomes its dates now."""
    fixed = data.copy()
    date_from, date_to = call_filter.date_range
    if fixed.get("preset") not in ("all", "custom") and (date_from or date_to):
        fixed["preset"] = "custom"
        fixed["date_from"] = date_from.isoformat() if date_from else ""
        fixed["date_to"] = date_to.isoformat() if date_to else ""
    for name in (*exports.EXPORT_PARAMS, "after", "before", "_"):
        fixed.pop(name, None)
    return dict(fixed.lists())


def call_export_start(*, team: Team, actor: User, file_format: str, filters: dict[str, list[str]]) -> CallExport:
    from .tasks import call_export_write_task

    job = CallExport.objects.create(
        team=team,
        requested_by=actor,
        file_format=file_format,
        filters=filters,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=f"calls-{timezone.localtime(timezone.now(), team.tzinfo):%Y%m%d-%H%M}",
    )
    call_export_write_task.delay_on_commit(job.pk)
    return job


def _queryset(job: CallExport) -> QuerySet[CallRecord] | None:
    data = QueryDict(mutable=True)
    for name, values in job.filters.items():
        data.setlist(name, values)
    call_filter = CallFilter(data, queryset=CallRecord.objects.filter(team=job.team), team=job.team)
    return call_filter.qs if call_filter.is_valid() else None


def call_export_write(*, export_id: int) -> str:
    """Writes one queued export to storage and tells its requester; returns what happened."""
    claimed = CallExport.objects.filter(pk=export_id, state=ExportState.QUEUED).update(state=ExportState.RUNNING)
    if not claimed:
        return "skipped: not waiting"
    job = CallExport.objects.select_related("team", "requested_by").get(pk=export_id)
    team = job.team
    try:
        with translation.override(job.language), timezone.override(team.tzinfo):
            name = _write(job)
    except Exception:
        log.exception("calls export %s failed", export_id)
        CallExport.objects.filter(pk=export_id).update(state=ExportState.FAILED, finished_at=timezone.now())
        return "failed"
    now = timezone.now()
    job.refresh_from_db(fields=["rows_total", "rows_done"])
    CallExport.objects.filter(pk=export_id).update(
        state=ExportState.DONE, file=name, finished_at=now, expires_at=now + timedelta(days=settings.EXPORT_KEEP_DAYS)
    )
    cache.delete(progress_key(export_id))
    notify(
        team=team,
        kind=Kind.EXPORT_READY,
        params={"rows": job.rows_done, "format": job.file_format.upper()},
        url=reverse("calls-export-job", args=[job.pk]),
        email=False,
        recipient=job.requested_by,
    )
    return f"wrote {job.rows_done} rows"


def _write(job: CallExport) -> str:
    queryset = _queryset(job)
    if queryset is None:
        raise ValueError("the stored filters are no longer valid")
    key = progress_key(job.pk)
    written = 0

    def progress(count: int) -> None:
        nonlocal written
        written = count
        cache.set(key, count, timeout=86400)

    CallExport.objects.filter(pk=job.pk).update(rows_total=queryset.count())
    with tempfile.TemporaryFile() as target:
        if export_copy.applies(job.file_format):
            with transaction.atomic():
                export_copy.write_csv(target, queryset=queryset, zone_name=job.team.time_zone, progress=progress,
                                      every=PROGRESS_EVERY)  # fmt: skip
        else:
            _write_rows(job, queryset, target, progress)
        target.seek(0)
        stored = default_storage.save(f"{FOLDER}/{job.team_id}/{uuid4().hex}/{job.filename}.{job.file_format}",
                                      File(target))  # fmt: skip
    CallExport.objects.filter(pk=job.pk).update(rows_done=written)
    return stored


def _write_rows(
    job: CallExport, queryset: QuerySet[CallRecord], target: IO[bytes], progress: Callable[[int], None]
) -> None:
    """Every row through Python: XLSX, and CSV on SQLite."""
    with _reading():
        exports.export_write(
            target,
            file_format=job.file_format,
            headers=export.headers(),
            rows=exports.counted(export.labelled_rows(export_rows(queryset)), progress, PROGRESS_EVERY),
            zone=job.team.tzinfo,
            sheet_name=_("Calls"),
        )


def _reading() -> AbstractContextManager[object]:
    """PostgreSQL: a transaction, so ``.iterator()``'s named cursor is declared without ``WITH HOLD`` (a held
    cursor is materialised whole at commit time). Not on SQLite, whose transactions here begin IMMEDIATE and
    would hold the write lock for the length of the export."""
    return transaction.atomic() if connection.vendor == "postgresql" else nullcontext()


def call_exports_sweep(now: datetime | None = None) -> int:
    """Deletes the exports past their expiry (file and row), and those that never finished after a day."""
    now = now or timezone.now()
    stale = CallExport.objects.filter(expires_at__lte=now) | CallExport.objects.filter(
        expires_at__isnull=True, created_at__lte=now - timedelta(days=1)
    )
    count = 0
    for job in stale.iterator():
        if job.file:
            default_storage.delete(job.file)
        job.delete()
        count += 1
    return count
