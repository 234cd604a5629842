"""Provider records as the CDR import receives them, and the row versions that show what it rewrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

from telephony.models import CallRecord, Source

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def provider_rows(count: int, **changes: dict[str, Any]) -> list[dict[str, Any]]:
    """``count`` PBX records ``cdr-0``…; ``changes`` by index ("5": {"duration": 4000}) applied to those records."""
    rows = [
        {"source": Source.PBX, "provider_id": f"cdr-{n}", "start": START + timedelta(minutes=n), "duration": n % 90,
         "caller": f"+90532{n:07d}", "callee": "+902121234567", "disposition": "answered", "raw": {"n": n}}
        for n in range(count)
    ]  # fmt: skip
    for index, fields in changes.items():
        rows[int(index)].update(fields)
    return rows


def row_versions(key: str = "id") -> dict[Any, str]:
    """Each record's row version by ``key`` ("id" or "provider_id"): PostgreSQL's xmin changes with any UPDATE,
    even one writing the same values; on SQLite the import's own stamp stands in."""
    if connection.vendor != "postgresql":
        return {k: str(stamp) for k, stamp in CallRecord.objects.values_list(key, "imported_at")}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, xmin::text FROM {CallRecord._meta.db_table}")
        return dict(cursor.fetchall())
