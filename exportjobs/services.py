"""Background exports: a worker writes the list's file to storage, the page shows progress.

Why not stream a large export in the request: a proxy or worker timeout cut the response short while the
browser kept an HTTP 200 file. Here the request only records what was asked (``ExportJob``: the list's kind,
its filters, the format, the requester's language) and queues ``exportjobs.write``; the worker asks the kind
(``core.export_kinds``) for the team's rows under those filters and writes the same CSV or XLSX the direct
export would send (``core.exports.export_write``: formula-escaped, times in the team's zone, labels in the
requester's language) to ``exports/<team id>/…`` in default storage, then notifies the requester with the
link. Files are deleted ``EXPORT_KEEP_DAYS`` after they were made.

Reading on PostgreSQL: a kind may bring its own writer for a format (the calls CSV: ``COPY (SELECT …) TO
STDOUT``, ``telephony/export_copy.py``). Every other file is written row by row: inside
``transaction.atomic`` Django's ``.iterator()`` reads through a named (server-side) cursor declared without
``WITH HOLD``, so nothing is materialised before the first row. The progress bar's total is the planner's
estimate (no COUNT pass over a million rows before the first is written); the count written replaces it at
the end. Progress is kept in the cache while the reading transaction is open (an UPDATE inside it would be
seen by nobody until it commits); with a shared cache (Redis) the page shows it live.
"""

from __future__ import annotations

import json
import logging
import tempfile
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import IO, Any
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.audit import audit_record
from accounts.models import Membership, Team, User
from core import exports
from core.export_kinds import ExportKind, Params, export_kind
from notifications.models import Kind
from notifications.services import notify

from .models import ExportJob, ExportState

log = logging.getLogger(__name__)

FOLDER = "exports"  # exports/<team id>/<random>/<file name>: the team's folder, erased with the team
PROGRESS_EVERY = 5_000  # rows between two progress marks
ASKED_AGAIN = timedelta(seconds=10)  # the same export asked again by the same member this soon is a double click


def progress_key(job_id: int) -> str:
    return f"exportjobs:{job_id}:rows"


def rows_done(job: ExportJob) -> int:
    """Rows written so far: the stored count once finished, the worker's mark in the cache before."""
    if job.finished:
        return job.rows_done
    return max(job.rows_done, cache.get(progress_key(job.pk), 0))


def percent(job: ExportJob) -> int:
    if job.state == ExportState.DONE:
        return 100
    if not job.rows_total:
        return 0
    return min(99, rows_done(job) * 100 // job.rows_total)  # the total is an estimate: never 100 % early


@transaction.atomic
def export_job_start(
    *, team: Team, actor: User, kind: ExportKind, file_format: str, filters: Params, request: HttpRequest | None = None
) -> ExportJob:
    """A new background export (audited when its kind's list audits its exports), or the same member's identical
    one asked less than ``ASKED_AGAIN`` ago (a double click on Start starts one job; a failed one is not reused,
    asking again is how to retry it)."""
    from .tasks import export_job_write_task

    if file_format not in exports.FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    # Two clicks arrive as two requests at once: the member's row is locked so the second waits for the first's
    # job, then finds it (PostgreSQL; SQLite's transactions here begin IMMEDIATE, one writer at a time anyway).
    # Unordered: Membership's default order joins, and FOR UPDATE would lock, the team's and the user's rows too.
    list(Membership.objects.select_for_update().filter(team=team, user=actor).order_by().values_list("pk"))
    recent = ExportJob.objects.filter(
        team=team, requested_by=actor, kind=kind.name, file_format=file_format,
        created_at__gte=timezone.now() - ASKED_AGAIN,
    ).exclude(state=ExportState.FAILED)  # fmt: skip
    for job in recent.order_by("-created_at"):
        if job.filters == dict(filters):  # compared here: JSON equality differs between databases
            return job
    job = ExportJob.objects.create(
        team=team,
        requested_by=actor,
        kind=kind.name,
        file_format=file_format,
        filters=dict(filters),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=f"{kind.filename(filters)}-{timezone.localtime(timezone.now(), team.tzinfo):%Y%m%d-%H%M}",
    )
    if kind.audit_action:
        asked = {name: values[0] if len(values) == 1 else list(values) for name, values in filters.items()}
        audit_record(team=team, actor=actor, action=kind.audit_action, target=job, request=request,
                     format=file_format, filters=asked)  # fmt: skip
    export_job_write_task.delay_on_commit(job.pk)
    return job


def export_job_write(*, job_id: int) -> str:
    """Writes one queued export to storage and tells its requester; returns what happened."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(state=ExportState.RUNNING)
    if not claimed:
        return "skipped: not waiting"
    job = ExportJob.objects.select_related("team", "requested_by").get(pk=job_id)
    team = job.team
    try:
        kind = export_kind(job.kind)
        if kind is None:
            raise ValueError(f"no export kind {job.kind!r}")
        with translation.override(job.language), timezone.override(team.tzinfo):
            name, written = _write(job, kind)
    except Exception:
        log.exception("background export %s (%s) failed", job_id, job.kind)
        ExportJob.objects.filter(pk=job_id).update(state=ExportState.FAILED, finished_at=timezone.now())
        cache.delete(progress_key(job_id))
        return "failed"
    now = timezone.now()
    kept = ExportJob.objects.filter(pk=job_id).update(
        state=ExportState.DONE, file=name, rows_total=written, rows_done=written, finished_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_KEEP_DAYS),
    )  # fmt: skip
    cache.delete(progress_key(job_id))
    if not kept:  # withdrawn while it was written (a personal-data erasure): its file may hold what was erased
        default_storage.delete(name)
        return "withdrawn"
    notify(
        team=team,
        kind=Kind.EXPORT_READY,
        params={"export": job.kind, "rows": written, "format": job.file_format.upper()},
        url=reverse("export-job", args=[job.pk]),
        email=False,
        recipient=job.requested_by,
    )
    return f"wrote {written} rows"


def _write(job: ExportJob, kind: ExportKind) -> tuple[str, int]:
    queryset = kind.queryset(job.team, job.filters)
    if queryset is None:
        raise ValueError("the stored filters are no longer valid")
    ExportJob.objects.filter(pk=job.pk).update(rows_total=estimated_rows(queryset))
    key = progress_key(job.pk)

    def progress(count: int) -> None:
        cache.set(key, count, timeout=86400)

    with tempfile.TemporaryFile() as target:
        with _reading():
            written = _write_file(job, kind, queryset, target, progress)
        target.seek(0)
        stored = default_storage.save(f"{FOLDER}/{job.team_id}/{uuid4().hex}/{job.filename}.{job.file_format}",
                                      File(target))  # fmt: skip
    return stored, written


def _write_file(job: ExportJob, kind: ExportKind, queryset: QuerySet[Any], target: IO[bytes], progress: Any) -> int:
    fast = kind.fast_writer(job.file_format)
    if fast is not None:
        return fast(target, queryset=queryset, team_id=job.team_id, zone_name=job.team.time_zone, progress=progress,
                    every=PROGRESS_EVERY)  # fmt: skip
    written = 0

    def counting(count: int) -> None:
        nonlocal written
        written = count
        progress(count)

    exports.export_write(
        target,
        file_format=job.file_format,
        headers=kind.headers(),
        rows=exports.counted(kind.rows(queryset), counting, PROGRESS_EVERY),
        zone=job.team.tzinfo,
        sheet_name=str(kind.sheet_name),
    )
    return written


def _reading() -> AbstractContextManager[object]:
    """PostgreSQL: a transaction, so ``.iterator()``'s named cursor is declared without ``WITH HOLD`` (a held
    cursor is materialised whole at commit time), and the COPY writer's temporary tables live in it. Not on
    SQLite, whose transactions here begin IMMEDIATE and would hold the write lock for the length of the export."""
    return transaction.atomic() if connection.vendor == "postgresql" else nullcontext()


def estimated_rows(queryset: QuerySet[Any]) -> int:
    """The progress bar's total before a row is written: on PostgreSQL the planner's estimate of the rows
    (``EXPLAIN``, no pass over them); elsewhere a count."""
    if connection.vendor != "postgresql":
        return queryset.count()
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg parses json; a text answer is read here
        plan = json.loads(plan)
    return max(0, int(plan[0]["Plan"]["Plan Rows"]))


def export_jobs_sweep(now: datetime | None = None) -> int:
    """Deletes the exports past their expiry (file and row), and those that never finished after a day."""
    now = now or timezone.now()
    stale = ExportJob.objects.filter(expires_at__lte=now) | ExportJob.objects.filter(
        expires_at__isnull=True, created_at__lte=now - timedelta(days=1)
    )
    count = 0
    for job in stale.iterator():
        if job.file:
            default_storage.delete(job.file)
        job.delete()
        count += 1
    return count
