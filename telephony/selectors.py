"""Reads for the CDR browser: keyset pages, per-day counts, export rows."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import CharField, Count, F, Func, Q, QuerySet
from django.db.models.functions import TruncDate

from .models import MISSED, CallRecord, Direction, Disposition

PAGE_SIZE = 50
# Sortable columns: each is paged by (column, id), so every sort stays a keyset walk.
SORTS = {"start": "start", "duration": "duration", "caller": "caller", "callee": "callee"}
DEFAULT_SORT = "-start"


def parse_sort(value: str | None) -> str:
    value = value or DEFAULT_SORT
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


def encode_cursor(value: Any, pk: int, sort: str = DEFAULT_SORT) -> str:
    """An opaque "after/before this row" token of one sort order (column and direction)."""
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([sort, raw, pk]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str) -> tuple[Any, int] | None:
    """(value, id) from a cursor; None for a missing or tampered one (then the first page is shown).

    A cursor of another sort order, or of the same column in the other direction,
    also gives None: it marks a place in another sequence, so the walk starts over.
    """
    if not cursor:
        return None
    try:
        cursor_sort, value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if cursor_sort != sort:
            return None
        field = SORTS[sort.lstrip("-")]
        if field == "start":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                return None
        elif field == "duration":
            if isinstance(value, bool) or not isinstance(value, int):
                return None
        elif not isinstance(value, str):
            return None
        if isinstance(pk, bool) or not isinstance(pk, int):
            return None
        return value, pk
    except (ValueError, TypeError, KeyError, AttributeError, json.JSONDecodeError):
        return None


class CallRow(NamedTuple):
    """One line of the CDR list: the listed columns and nothing else.

    On SQLite, making 51 model instances cost several times what the page's
    query does, so the list reads plain rows; the detail page loads the record.
    """

    id: int
    start: datetime
    direction: str
    caller: str
    callee: str
    duration: int
    disposition: str
    has_recording: bool
    account_label: str

    @property
    def pk(self) -> int:
        return self.id

    def get_direction_display(self) -> str:
        return str(DIRECTION_LABELS.get(self.direction, self.direction))

    def get_disposition_display(self) -> str:
        return str(DISPOSITION_LABELS.get(self.disposition, self.disposition))


DIRECTION_LABELS = dict(Direction.choices)
DISPOSITION_LABELS = dict(Disposition.choices)


@dataclass
class KeysetPage:
    rows: list[CallRow]
    next_cursor: str | None
    prev_cursor: str | None


def keyset_rows(
    queryset: QuerySet[CallRecord], *, sort: str, cursor: tuple[Any, int] | None, walk_descending: bool, size: int
) -> QuerySet[CallRecord, tuple[Any, ...]]:
    """The one query a page runs: the listed columns of ``size + 1`` rows after ``cursor``, by (sort column, id)."""
    field = SORTS[sort.lstrip("-")]
    if cursor is not None:
        value, pk = cursor
        # The redundant `field <= value` lets the database range-scan the index.
        if walk_descending:
            queryset = queryset.filter(Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(pk__lt=pk)))
        else:
            queryset = queryset.filter(Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk)))
    ordering = [f"-{field}", "-id"] if walk_descending else [field, "id"]
    # The account's label only: loading the account would decrypt its credentials for every row.
    return (
        queryset.annotate(account_label=F("account__label"))
        .order_by(*ordering)
        .values_list(*CallRow._fields)[: size + 1]
    )


def page_rows(
    queryset: QuerySet[CallRecord], *, sort: str, cursor: tuple[Any, int] | None, walk_descending: bool, size: int
) -> list[CallRow]:
    rows = keyset_rows(queryset, sort=sort, cursor=cursor, walk_descending=walk_descending, size=size)
    return [CallRow._make(row) for row in rows]


def keyset_page(
    queryset: QuerySet[CallRecord],
    *,
    sort: str = DEFAULT_SORT,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page walking (sort column, id): no OFFSET and no COUNT(*), so the millionth row costs what the first does.

    ``after`` gives the ``size`` rows that follow a row in the sort order, ``before`` the ``size`` rows that
    precede it; ties in the sort column are ordered by id, so every row is on exactly one page either way.
    """
    sort = parse_sort(sort)
    field = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    cursor = decode_cursor(after, sort) if after is not None else decode_cursor(before, sort)
    backwards = after is None and cursor is not None  # a missing or unreadable cursor: the first page
    rows = page_rows(queryset, sort=sort, cursor=cursor, walk_descending=descending != backwards, size=size)
    if not rows and cursor is not None:
        # Nothing on that side of the cursor (rows deleted since, or a hand-made cursor): start over.
        return keyset_page(queryset, sort=sort, size=size)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = True if backwards else more  # walking back, the cursor's own row follows
    has_prev = more if backwards else cursor is not None
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(getattr(rows[-1], field), rows[-1].pk, sort) if rows and has_next else None,
        prev_cursor=encode_cursor(getattr(rows[0], field), rows[0].pk, sort) if rows and has_prev else None,
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
    answered = Count("id", filter=Q(disposition=Disposition.ANSWERED))
    missed = Count("id", filter=Q(disposition__in=MISSED))
    if connection.vendor in ("sqlite", "postgresql"):
        hourly = (
            queryset.order_by()
            .annotate(hour=UtcHour("start"))
            .values("hour")
            .annotate(answered=answered, missed=missed)
        )
        days: dict[date, DayCount] = {}
        for row in hourly:
            moment = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC)
            day = moment.astimezone(zone).date()
            bucket = days.setdefault(day, DayCount(day=day, answered=0, missed=0))
            bucket.answered += row["answered"]
            bucket.missed += row["missed"]
        return [days[day] for day in sorted(days)]
    daily = (
        queryset.order_by()
        .annotate(day=TruncDate("start", tzinfo=zone))
        .values("day")
        .annotate(answered=answered, missed=missed)
        .order_by("day")
    )
    return [DayCount(day=row["day"], answered=row["answered"], missed=row["missed"]) for row in daily]


EXPORT_FIELDS = (
    "id", "start", "answer", "end", "duration", "billed_seconds", "caller", "callee", "direction",
    "disposition", "cost", "country", "description", "source", "provider_id", "account__label", "has_recording",
)  # fmt: skip


def export_rows(queryset: QuerySet[CallRecord]) -> Iterator[tuple[Any, ...]]:
    """The filtered set in (start, id) order, read in chunks from a server-side cursor."""
    yield from queryset.order_by("-start", "-id").values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
