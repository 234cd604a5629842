"""A record received again as it was is not even fitted; the fitting of the others stores the values it always did."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from telephony import fitting, import_staging, services
from telephony.models import CallRecord, Source

from .import_rows import provider_rows, row_versions

pytestmark = pytest.mark.django_db

COUNT = services.UPSERT_BATCH + 20  # two batches on SQLite


def _rows(count: int = COUNT, **changes: dict[str, Any]) -> list[dict[str, Any]]:
    return provider_rows(count, **changes)


def _versions() -> dict[str, str]:
    return row_versions("provider_id")


def _refuse_fitting(monkeypatch) -> None:
    def fit(row: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError(f"record {row['provider_id']} fitted")

    monkeypatch.setattr(services, "fit_to_columns", fit)


@pytest.fixture
def account(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def test_an_unchanged_reimport_fits_no_record_and_writes_no_row(account, monkeypatch) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    versions = _versions()
    _refuse_fitting(monkeypatch)
    assert services.call_records_upsert(account=account, rows=_rows()) == COUNT  # all received, none fitted
    assert _versions() == versions
    assert CallRecord.objects.exclude(raw_hash__regex=r"^[0-9a-f]{32}$").count() == 0


def test_only_the_changed_record_is_fitted_and_rewritten(account, monkeypatch) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    before = {c.provider_id: c for c in CallRecord.objects.all()}
    versions = _versions()
    fitted: list[str] = []
    fit = services.fit_to_columns
    monkeypatch.setattr(services, "fit_to_columns", lambda row: fitted.append(row["provider_id"]) or fit(row))
    services.call_records_upsert(account=account, rows=_rows(**{"7": {"caller": "+905551112233"}}))
    assert fitted == ["cdr-7"]
    after = _versions()
    assert {pid for pid in after if after[pid] != versions[pid]} == {"cdr-7"}
    record = CallRecord.objects.get(provider_id="cdr-7")
    assert record.caller == "+905551112233"
    assert record.raw_hash != before["cdr-7"].raw_hash and record.content_hash != before["cdr-7"].content_hash


def test_a_record_stored_without_a_raw_hash_gets_one_once(account, monkeypatch) -> None:
    """Records stored before the raw hash existed: the next import fits them and stores the hash; then they are left."""
    services.call_records_upsert(account=account, rows=_rows())
    CallRecord.objects.filter(provider_id__in=["cdr-1", "cdr-2"]).update(raw_hash="")
    versions = _versions()
    services.call_records_upsert(account=account, rows=_rows())
    after = _versions()
    assert {pid for pid in after if after[pid] != versions[pid]} == {"cdr-1", "cdr-2"}
    assert CallRecord.objects.filter(raw_hash="").count() == 0
    _refuse_fitting(monkeypatch)
    services.call_records_upsert(account=account, rows=_rows())
    assert _versions() == after


def test_a_later_copy_that_cannot_be_stored_leaves_the_one_before_it(account) -> None:
    rows = _rows(3)
    skipped: list[services.SkippedRecord] = []
    later = {**rows[1], "duration": -5}
    assert services.call_records_upsert(account=account, rows=[*rows, later], skipped=skipped) == 3
    assert CallRecord.objects.get(provider_id="cdr-1").duration == 1
    assert [(s.provider_id, s.code) for s in skipped] == [("cdr-1", "out_of_range")]
    earlier = {**rows[2], "provider_id": "cdr-9", "billed_seconds": "many"}
    assert services.call_records_upsert(account=account, rows=[earlier, {**rows[2], "provider_id": "cdr-9"}]) == 1
    assert CallRecord.objects.filter(provider_id="cdr-9").exists()


# Odd provider values and what the fitting stored for them before it was made faster (the values of commit 1689015).
ODD_RECORDS: list[dict[str, Any]] = [
    {"provider_id": "p" * 100, "duration": "12", "billed_seconds": 7.9, "caller": "x" * 80, "callee": "+90\x00212",
     "cost": "0.123456", "description": "ş" * 250, "result": 200, "country": None},
    {"provider_id": 12345, "duration": True, "billed_seconds": None, "caller": None, "callee": 905321234567,
     "cost": Decimal("1e15"), "description": "", "recording_name": "r" * 300},
    {"provider_id": "a\x00b", "duration": 2**31 - 1, "billed_seconds": "0", "cost": "abc",
     "direction": "outgoing-long", "disposition": "no_answer_but_much_longer", "country": "TURKEY" * 20},
    {"provider_id": "1479634390.36435", "duration": 0, "cost": "NaN", "result": "x" * 40},
    {"provider_id": "q", "cost": 0.1, "caller": "ü" * 64, "callee": "ü" * 65},
    {"provider_id": "r", "cost": "Infinity", "billed_seconds": 3.0},
    {"provider_id": "s", "cost": "-0.000005", "duration": 59.5},
    {"provider_id": "t", "cost": "9999999.999995", "raw": {"b": 1, "a": "\x00"}},
    {"provider_id": "u", "cost": "", "duration": ""},
]  # fmt: skip
FITTED_BEFORE: list[dict[str, Any]] = [
    {"provider_id": "p" * 39 + "~abd3b172acc3c31e07e73599", "duration": 12, "billed_seconds": 7, "caller": "x" * 64,
     "callee": "+90212", "cost": Decimal("0.12346"), "description": "ş" * 200, "result": "200", "country": ""},
    {"provider_id": "12345", "duration": 1, "billed_seconds": 0, "caller": "", "callee": "905321234567", "cost": None,
     "description": "", "recording_name": "r" * 255},
    {"provider_id": "ab", "duration": 2**31 - 1, "billed_seconds": 0, "cost": None, "direction": "outgoing",
     "disposition": "no_answer_but_mu", "country": ("TURKEY" * 11)[:64]},
    {"provider_id": "1479634390.36435", "duration": 0, "cost": None, "result": "x" * 32},
    {"provider_id": "q", "cost": Decimal("0.10000"), "caller": "ü" * 64, "callee": "ü" * 64},
    {"provider_id": "r", "cost": None, "billed_seconds": 3},
    {"provider_id": "s", "cost": Decimal("-0.00000"), "duration": 59},
    {"provider_id": "t", "cost": None, "raw": {"b": 1, "a": "\x00"}},
    {"provider_id": "u", "cost": None, "duration": 0},
]  # fmt: skip


def test_fitting_gives_the_values_it_gave_before() -> None:
    for record, expected in zip(ODD_RECORDS, FITTED_BEFORE, strict=True):
        fitted = fitting.fit_to_columns({"source": "pbx", **record})
        assert fitted == {"source": "pbx", **expected}
        assert [type(fitted[name]) for name in expected] == [type(value) for value in expected.values()]


def test_an_import_stores_the_fitted_values_of_odd_records(account) -> None:
    # The raw record as a provider's JSON gives it (PostgreSQL's jsonb refuses the NUL of the last one).
    odd = [
        {**row, **record, "raw": {"n": n}} for n, (row, record) in enumerate(zip(_rows(9), ODD_RECORDS, strict=True))
    ]
    assert services.call_records_upsert(account=account, rows=odd) == len(odd)
    stored = {c.provider_id: c for c in CallRecord.objects.filter(account=account)}
    for expected in FITTED_BEFORE:
        record = stored[expected["provider_id"]]
        for name, value in expected.items():
            if name != "raw":
                assert getattr(record, name) == value, (expected["provider_id"], name)
    assert len(stored) == len(odd)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_stored_hashes_are_read_through_the_unique_index_before_statistics_exist(account) -> None:
    services.call_records_upsert(account=account, rows=_rows())
    keys = [(Source.PBX.value, f"cdr-{n}") for n in range(100)]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {import_staging.STORED_HASHES_SQL}", [[s for s, _p in keys], [p for _s, p in keys], 1])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "call_unique_provider_id" in plan and "Hash Join" not in plan, plan
    assert len(import_staging.stored_hashes(account=account, keys=keys)) == 100


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_the_stored_hashes_are_read_with_jit_off(account) -> None:
    """The planner priced the lookup's 5,000 probes high enough to JIT-compile its plan, most of the lookup's time:
    the lookup turns JIT off for its own transaction. The test's transaction, whose savepoint the lookup released,
    still shows the setting."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = on")
        assert import_staging.stored_hashes(account=account, keys=[(Source.PBX.value, "cdr-0")]) == []
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
