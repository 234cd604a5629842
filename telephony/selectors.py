"""Reads for the CDR browser: keyset pages, per-day counts, export rows."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, Func, Q, QuerySet
from django.db.models.functions import TruncDate

from .models import MISSED, CallRecord, Disposition

PAGE_SIZE = 50
# Sortable columns: each is paged by (column, id), so every sort stays a keyset walk.
SORTS = {"start": "start", "duration": "duration", "caller": "caller", "callee": "callee"}
DEFAULT_SORT = "-start"
# What a list row shows; the rest (the raw record above all) stays in the database.
LIST_FIELDS = ("id", "start", "direction", "caller", "callee", "duration", "disposition", "has_recording")


def parse_sort(value: str | None) -> str:
    value = value or DEFAULT_SORT
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


def encode_cursor(value: Any, pk: int, field: str = "start") -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([field, raw, pk]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str) -> tuple[Any, int] | None:
    """(value, id) from a cursor; None for a missing or tampered one (then the first page is shown)."""
    if not cursor:
        return None
    try:
        cursor_field, value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if cursor_field != field:  # a cursor of another sort order (the sort changed): start over
            return None
        if field == "start":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                return None
        elif field == "duration":
            value = int(value)
        elif not isinstance(value, str):
            return None
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


@dataclass
class KeysetPage:
    rows: list[CallRecord]
    next_cursor: str | None
    prev_cursor: str | None


def keyset_query(
    queryset: QuerySet[CallRecord], *, sort: str, cursor: tuple[Any, int] | None, walk_descending: bool, size: int
) -> QuerySet[CallRecord]:
    """The one query a page runs: rows after ``cursor`` in (sort column, id) order, ``size + 1`` of them."""
    field = SORTS[sort.lstrip("-")]
    if cursor is not None:
        value, pk = cursor
        if walk_descending:
            # The redundant `field <= value` lets the database range-scan the index.
            queryset = queryset.filter(**{f"{field}__lte": value}).filter(Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))
        else:
            queryset = queryset.filter(**{f"{field}__gte": value}).filter(Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))
    order = [f"-{field}", "-id"] if walk_descending else [field, "id"]
    # The account's label only: loading the account would decrypt its credentials for every row.
    return queryset.annotate(account_label=F("account__label")).only(*LIST_FIELDS).order_by(*order)[: size + 1]


def keyset_page(
    queryset: QuerySet[CallRecord],
    *,
    sort: str = DEFAULT_SORT,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page walking (sort column, id): no OFFSET and no COUNT(*), so the millionth row costs what the first does."""
    sort = parse_sort(sort)
    field = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    backwards = before is not None and after is None
    cursor = decode_cursor(before if backwards else after, field)
    query = keyset_query(queryset, sort=sort, cursor=cursor, walk_descending=descending != backwards, size=size)
    rows = list(query)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else cursor is not None
    has_prev = (cursor is not None) if not backwards else more
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(getattr(rows[-1], field), rows[-1].pk, field) if rows and has_next else None,
        prev_cursor=encode_cursor(getattr(rows[0], field), rows[0].pk, field) if rows and has_prev else None,
    )


@dataclass
class DayCount:
    day: date
    answered: int
    missed: int

    @property
    def total(self) -> int:
        return self.answered + self.missed


class UtcHour(Func):
    """The UTC hour of a datetime column as text ("2026-03-01 22"), computed natively by the database.

    Grouping by it and folding hours into the team's days in Python is many
    times faster than a per-row time-zone conversion (a Python function on SQLite).
    """

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps aware datetimes as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 1, 13)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
        return super().as_sql(compiler, connection, template=template, **extra)


def calls_per_day(queryset: QuerySet[CallRecord], zone: tzinfo) -> list[DayCount]:
    """Answered and missed calls per day of ``zone``, for the filtered set: one GROUP BY hour, folded here."""
    counts = {
        "answered": Count("id", filter=Q(disposition=Disposition.ANSWERED)),
        "missed": Count("id", filter=Q(disposition__in=MISSED)),
    }
    if connection.vendor in ("sqlite", "postgresql"):
        rows = queryset.order_by().annotate(hour=UtcHour("start")).values("hour").annotate(**counts)
        days: dict[date, DayCount] = {}
        for row in rows:
            moment = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC)
            day = moment.astimezone(zone).date()
            bucket = days.setdefault(day, DayCount(day=day, answered=0, missed=0))
            bucket.answered += row["answered"]
            bucket.missed += row["missed"]
        return [days[day] for day in sorted(days)]
    rows = (
        queryset.order_by()
        .annotate(day=TruncDate("start", tzinfo=zone))
        .values("day")
        .annotate(**counts)
        .order_by("day")
    )
    return [DayCount(day=row["day"], answered=row["answered"], missed=row["missed"]) for row in rows]


EXPORT_FIELDS = (
    "id", "start", "answer", "end", "duration", "billed_seconds", "caller", "callee", "direction",
    "disposition", "cost", "country", "description", "source", "provider_id", "account__label", "has_recording",
)  # fmt: skip


def export_rows(queryset: QuerySet[CallRecord]) -> Iterator[tuple[Any, ...]]:
    """The filtered set in (start, id) order, read in chunks from a server-side cursor."""
    yield from queryset.order_by("-start", "-id").values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
