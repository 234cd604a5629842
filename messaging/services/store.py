"""Writing a batch's chunks and recipients: ``COPY`` on PostgreSQL, batched ``INSERT``s elsewhere.

Django's ``bulk_create`` spends most of a large batch building and preparing a model instance per
recipient; the rows here are plain tuples, written as they are (as ``telephony/import_staging.py``
does for call records).

A batch from a file is stored by a background task, so the review's Confirm returns at once and the
batch page shows the storing's progress: Confirm keeps the confirmed recipients beside the kept
uploads (``sms-uploads/<team>/batch-<id>.json``) and leaves the batch ``storing`` (not sendable).
The task writes a few chunks per transaction, each chunk with all its recipients or not at all, and
skips the chunks already there: a retried or duplicated task (``acks_late``, a worker killed
midway) neither duplicates nor loses a row. A failure makes the batch ``not_stored`` with its
reason on the batch page; nothing half stored stays behind.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.stored_text import stored
from core.phones import COUNTRY_CODE

from .. import uploads
from ..models import SmsBatch, SmsChunk, SmsRecipient
from ..recipients import Recipient, render
from . import send_queue
from .limits import sms_chunk_size
from .scheduled import initial_state

log = logging.getLogger(__name__)

INSERT_BATCH = 2000  # rows per INSERT where there is no COPY
CHUNKS_PER_STEP = 10  # chunks written in one transaction by the task: the progress moves this often

# (E.164, name, personal text or "" for the batch's, row of the file or None)
Row = tuple[str, str, str, int | None]
# (index, abroad, its rows)
Chunk = tuple[int, bool, list[Row]]

_GIVEN = ("batch", "chunk", "phone", "name", "text", "source_row")


def rows_of(recipients: Iterable[Recipient], *, text: str, personalised: bool) -> list[Row]:
    """Each recipient as it is stored: its own text when the batch's has placeholders."""
    return [
        (r.number.e164, r.name[:150], render(text, r.values) if personalised else "", r.source_row or None)
        for r in recipients
    ]


def chunks_of(rows: Sequence[Row], size: int) -> list[Chunk]:
    """Turkish numbers and numbers abroad go in separate submits: ``universal`` is per request."""
    home_prefix = f"+{COUNTRY_CODE}"  # as ``Number.abroad`` reads it, without a Number per row
    home = [r for r in rows if r[0].startswith(home_prefix)]
    abroad = [r for r in rows if not r[0].startswith(home_prefix)]
    chunks: list[Chunk] = []
    for universal, group in ((False, home), (True, abroad)):
        for start in range(0, len(group), size):
            chunks.append((len(chunks), universal, group[start : start + size]))
    return chunks


@cache
def _columns() -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Every column of a recipient row, and the value of each one a new row does not give (its default)."""
    fields = [f for f in SmsRecipient._meta.concrete_fields if not f.primary_key]
    given = [next(f for f in fields if f.name == name) for name in _GIVEN]
    rest = [f for f in fields if f not in given]
    columns = tuple(str(f.column) for f in [*given, *rest])
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    return columns, defaults


def write_chunks(batch: SmsBatch, chunks: Sequence[Chunk]) -> int:
    """Inserts ``chunks`` with their recipients (inside the caller's transaction); returns the recipients."""
    if not chunks:
        return 0
    made = SmsChunk.objects.bulk_create(
        [SmsChunk(batch=batch, index=index, universal=universal, size=len(rows)) for index, universal, rows in chunks]
    )
    columns, defaults = _columns()
    values = (
        (batch.pk, chunk.pk, phone, name, text, source_row, *defaults)
        for chunk, (_index, _universal, rows) in zip(made, chunks, strict=True)
        for phone, name, text, source_row in rows
    )
    table, names = SmsRecipient._meta.db_table, ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # psycopg's copy API
                for row in values:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            buffer: list[tuple[Any, ...]] = []
            for row in values:
                buffer.append(row)
                if len(buffer) >= INSERT_BATCH:
                    cursor.executemany(sql, buffer)
                    buffer = []
            if buffer:
                cursor.executemany(sql, buffer)
    return sum(len(rows) for _index, _universal, rows in chunks)


# --- the kept recipients of a batch stored in the background -------------------------------------


def _kept_path(batch: SmsBatch) -> str:
    # In the team's folder of kept uploads: purged with them after a day, removed with the team.
    return f"{uploads.FOLDER}/{batch.team_id}/batch-{batch.pk}.json"


def keep(batch: SmsBatch, rows: list[Row]) -> None:
    default_storage.save(_kept_path(batch), ContentFile(json.dumps(rows, ensure_ascii=False).encode()))


def _kept(batch: SmsBatch) -> list[Row] | None:
    path = _kept_path(batch)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return [(phone, name, text, row) for phone, name, text, row in json.loads(handle.read())]


def _forget(batch: SmsBatch) -> None:
    default_storage.delete(_kept_path(batch))


def sms_batch_store(*, batch_id: int) -> str:
    """Writes the kept recipients of a ``storing`` batch, then makes it sendable (or held until its time)."""
    batch = SmsBatch.objects.select_related("account").filter(pk=batch_id).first()
    if batch is None or batch.state != SmsBatch.State.STORING:
        return "nothing to store"
    try:
        rows = _kept(batch)
        if rows is None:
            _fail(batch, "sms.store_lost")
            return "not stored: the recipients were not kept"
        stored_rows = _store_steps(batch, chunks_of(rows, sms_chunk_size(batch.account)))
    except Exception:
        log.exception("SMS batch %s: its recipients could not be stored", batch_id)
        _fail(batch, "sms.store_failed")
        return "not stored"
    if stored_rows is None:
        return "no longer storing"
    with transaction.atomic():
        now = timezone.now()
        state = initial_state(batch.scheduled_at, now)
        if not SmsBatch.objects.filter(pk=batch_id, state=SmsBatch.State.STORING).update(state=state, progress_at=now):
            return "no longer storing"
        if state == SmsBatch.State.SENDING:  # a held batch is queued by the worker's release when it is due
            send_queue.sms_batch_queue(batch_id)
        transaction.on_commit(lambda: _forget(batch))
    return f"stored {stored_rows}"


def _store_steps(batch: SmsBatch, chunks: list[Chunk]) -> int | None:
    """Writes the chunks not yet there, a few per transaction; the count of recipients stored, or None when
    the batch stopped storing meanwhile."""
    stored_rows = 0
    for start in range(0, len(chunks), CHUNKS_PER_STEP):
        step = chunks[start : start + CHUNKS_PER_STEP]
        with transaction.atomic():
            # One run at a time per batch (the row lock; SQLite's write transactions are IMMEDIATE): a second
            # run waits here, then finds these chunks written. The chunk's unique index is the last guard.
            locked = SmsBatch.objects.select_for_update().filter(pk=batch.pk, state=SmsBatch.State.STORING)
            if not locked.exists():
                return None
            there = set(batch.chunks.filter(index__in=[c[0] for c in step]).values_list("index", flat=True))
            write_chunks(batch, [c for c in step if c[0] not in there])
            stored_rows = batch.chunks.aggregate(n=Sum("size"))["n"] or 0
            locked.update(stored_count=stored_rows, progress_at=timezone.now())
    return stored_rows


def _fail(batch: SmsBatch, key: str) -> None:
    with transaction.atomic():
        if SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.STORING).update(
            state=SmsBatch.State.NOT_STORED, store_error=stored(key), stored_count=0, progress_at=timezone.now()
        ):
            batch.chunks.all().delete()  # nothing half stored stays behind (the recipients go with their chunks)
    _forget(batch)
