"""CDR import writes with one bulk upsert per batch and rewrites nothing a re-import brings unchanged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telephony import import_staging, services
from telephony.models import CallRecord, ImportWatermark

from .import_rows import START, provider_rows, row_versions

pytestmark = pytest.mark.django_db

COUNT = services.UPSERT_BATCH * 2 + 37  # three batches, the last one partial


def _rows(count: int = COUNT, **changes: dict) -> list[dict]:
    return provider_rows(count, **changes)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def _row_writes(queries: CaptureQueriesContext) -> list[str]:
    """The statements that may have written call records: on PostgreSQL the staged upsert runs on every batch and
    its conflict clause decides (checked by ``_versions``); on SQLite nothing is sent for unchanged records."""
    staged = f"FROM {import_staging.STAGING} ON CONFLICT"
    return [sql for sql in _writes(queries) if not (connection.vendor == "postgresql" and staged in sql)]


def _versions() -> dict[int, str]:
    return row_versions("id")


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
    if connection.vendor == "postgresql":  # one COPY into the staging table, one INSERT … SELECT from it
        assert len(inserts) == 1 and f"FROM {import_staging.STAGING}" in inserts[0]
    else:
        assert len(inserts) >= 3
    assert CallRecord.objects.exclude(content_hash__regex=r"^[0-9a-f]{32}$").count() == 0


def test_an_unchanged_reimport_writes_nothing(account) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    stamps = dict(CallRecord.objects.values_list("pk", "imported_at"))
    versions = _versions()
    with CaptureQueriesContext(connection) as queries:
        assert services.call_records_upsert(account=account, rows=_rows()) == COUNT  # all received
    assert _row_writes(queries) == []
    assert _versions() == versions  # no row rewritten, not even with the same values
    assert dict(CallRecord.objects.values_list("pk", "imported_at")) == stamps


def test_a_reimport_rewrites_only_the_changed_rows(account) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    before = {c.provider_id: c for c in CallRecord.objects.all()}
    versions = _versions()
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
    new_versions = _versions()
    assert {after[pid].pk for pid in after if new_versions[after[pid].pk] != versions.get(after[pid].pk)} == {
        after["cdr-5"].pk, after["cdr-700"].pk}  # fmt: skip
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
    assert [sql for sql in _row_writes(queries) if table in sql] == []
    assert CallRecord.objects.count() == count


def _stored(account) -> dict[tuple[str, str], dict]:
    skip = {"id", "account_id", "team_id", "imported_at"}
    return {
        (row["source"], row["provider_id"]): {k: v for k, v in row.items() if k not in skip}
        for row in CallRecord.objects.filter(account=account).values()
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staged path is PostgreSQL's")
def test_the_staged_import_stores_what_the_bulk_create_path_stores(
    team_a, account, sandbox_account, monkeypatch
) -> None:
    """New rows inserted, changed rows updated, unchanged left: the same records as bulk_create's path (SQLite's)."""
    other = sandbox_account(team_a, "pasifik")
    odd = {"3": {"cost": "0.123456", "caller": "x" * 80, "answer": START, "end": START + timedelta(seconds=61),
                 "direction": "out", "country": "TURKEY", "has_recording": True, "recording_name": "a.wav"},
           "4": {"duration": None, "raw": [1, {"ü": "ş"}], "description": "nul\x00byte"}}  # fmt: skip
    first, second = _rows(40, **odd), [*_rows(45, **{"7": {"duration": 9}}, **odd)]
    services.call_records_upsert(account=account, rows=first)
    services.call_records_upsert(account=account, rows=second)
    monkeypatch.setattr(import_staging, "applies", lambda: False)
    services.call_records_upsert(account=other, rows=first)
    services.call_records_upsert(account=other, rows=second)
    staged, bulk = _stored(account), _stored(other)
    assert len(staged) == 45 and staged == bulk
    assert staged[("pbx", "cdr-7")]["duration"] == 9 and staged[("pbx", "cdr-3")]["cost"] == Decimal("0.12346")
