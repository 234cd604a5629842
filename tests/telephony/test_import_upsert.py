"""CDR import writes with one bulk upsert per batch and rewrites nothing a re-import brings unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telephony import services
from telephony.models import CallRecord, ImportWatermark, Source

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
COUNT = services.UPSERT_BATCH * 2 + 37  # three batches, the last one partial


def _rows(count: int = COUNT, **changes: dict) -> list[dict]:
    rows = [
        {"source": Source.PBX, "provider_id": f"cdr-{n}", "start": START + timedelta(minutes=n), "duration": n % 90,
         "caller": f"+90532{n:07d}", "callee": "+902121234567", "disposition": "answered", "raw": {"n": n}}
        for n in range(count)
    ]  # fmt: skip
    for index, fields in changes.items():
        rows[int(index)].update(fields)
    return rows


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


@pytest.fixture
def account(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def test_a_first_import_stores_every_row_in_one_insert_per_batch(account) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert services.call_records_upsert(account=account, rows=_rows()) == COUNT
    assert CallRecord.objects.filter(account=account).count() == COUNT
    inserts = _writes(queries)
    # Bulk upserts only (SQLite splits a batch to fit its limit on bound parameters; PostgreSQL does not).
    assert inserts and all(sql.upper().startswith("INSERT") and "ON CONFLICT" in sql.upper() for sql in inserts)
    if connection.vendor == "postgresql":
        assert len(inserts) == 3
    assert CallRecord.objects.exclude(content_hash__regex=r"^[0-9a-f]{32}$").count() == 0


def test_an_unchanged_reimport_writes_nothing(account) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    stamps = dict(CallRecord.objects.values_list("pk", "imported_at"))
    with CaptureQueriesContext(connection) as queries:
        assert services.call_records_upsert(account=account, rows=_rows()) == COUNT  # all received
    assert _writes(queries) == []
    assert dict(CallRecord.objects.values_list("pk", "imported_at")) == stamps


def test_a_reimport_rewrites_only_the_changed_rows(account) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    before = {c.provider_id: c for c in CallRecord.objects.all()}
    changed = _rows(**{"5": {"duration": 4000, "raw": {"n": 5, "late": True}}, "700": {"callee": "+903121111111"}})
    with CaptureQueriesContext(connection) as queries:
        services.call_records_upsert(account=account, rows=[*changed, *_rows(3)])
    writes = _writes(queries)
    assert all("ON CONFLICT" in sql.upper() for sql in writes)
    after = {c.provider_id: c for c in CallRecord.objects.all()}
    assert len(after) == COUNT
    assert after["cdr-5"].duration == 4000 and after["cdr-5"].raw == {"n": 5, "late": True}
    assert after["cdr-700"].callee == "+903121111111"
    assert after["cdr-5"].pk == before["cdr-5"].pk
    rewritten = {pid for pid in after if after[pid].imported_at != before[pid].imported_at}
    assert rewritten == {"cdr-5", "cdr-700"}
    assert after["cdr-5"].content_hash != before["cdr-5"].content_hash


def test_reimporting_the_providers_unchanged_window_writes_no_call_record(account, sandbox) -> None:
    sandbox.clock.freeze()
    now = sandbox.clock.now()
    services.calls_import(account=account, now=now)
    count = CallRecord.objects.count()
    assert count > 0
    ImportWatermark.objects.update(imported_until=None)  # the same window comes again
    with CaptureQueriesContext(connection) as queries:
        summary = services.calls_import(account=account, now=now)
    assert summary.errors == []
    table = CallRecord._meta.db_table
    assert [sql for sql in _writes(queries) if table in sql] == []
    assert CallRecord.objects.count() == count
