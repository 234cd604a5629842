"""One odd provider record never blocks a CDR import: it is fitted to the columns, or skipped and reported."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from sandbox.pasifik import DEMO_TELEPHONE_IDS
from sandbox.pasifik import telephone as sandbox_telephone
from telephony import services
from telephony.fitting import RecordRejected, fit_to_columns
from telephony.models import CallRecord, ImportWatermark, Source

pytestmark = pytest.mark.django_db

LONG_CLI = "9" * 300


def _poison(monkeypatch, change: dict[str, Any], *, every: int) -> list[int]:
    """The sandbox's telephone history, with ``change`` applied to every ``every``-th record: what a provider sends."""
    original = sandbox_telephone.demo_history
    poisoned: list[int] = []

    def history(account: int, anchor: str, scale: int = 1) -> tuple[tuple[Any, dict[str, Any]], ...]:
        records = []
        for index, (moment, cdr) in enumerate(original(account, anchor, scale)):
            if index % every == 0:
                cdr = {**cdr, **change}
                poisoned.append(cdr["i_cdr"])
            records.append((moment, cdr))
        return tuple(records)

    monkeypatch.setattr(sandbox_telephone, "demo_history", history)
    return poisoned


@pytest.fixture
def account(team_a, sandbox_account):
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "telephone_ids": [str(DEMO_TELEPHONE_IDS[0])]}
    account.save()
    return account


def test_a_300_character_caller_is_cut_to_its_column_and_kept_whole_in_raw(account, sandbox, monkeypatch) -> None:
    poisoned = _poison(monkeypatch, {"cli": LONG_CLI, "cli_in": LONG_CLI, "country": "X" * 500}, every=7)
    now = sandbox.clock.now()
    summary = services.tel_history_import(account=account, now=now)

    assert summary.errors == [] and summary.skipped == []
    assert CallRecord.objects.filter(source=Source.TELEPHONE).count() == 160  # every record of the history
    record = CallRecord.objects.get(provider_id=str(poisoned[0]))
    assert record.caller == LONG_CLI[:64] and len(record.country) == 64
    assert record.raw["cli_in"] == LONG_CLI and record.raw["country"] == "X" * 500
    mark = ImportWatermark.objects.get(account=account, source=Source.TELEPHONE)
    assert mark.imported_until == now and mark.last_skipped == 0


def test_a_record_that_cannot_be_stored_is_skipped_counted_and_the_watermark_moves(
    account, sandbox, monkeypatch
) -> None:
    # A duration no column can hold (a 4-byte integer on PostgreSQL), next to a caller too long for its column.
    poisoned = _poison(monkeypatch, {"duration": 1e12, "cli_in": LONG_CLI}, every=40)
    now = sandbox.clock.now()
    summary = services.tel_history_import(account=account, now=now)

    assert summary.errors == []
    assert sorted(int(s.provider_id) for s in summary.skipped) == sorted(poisoned)
    stored = set(CallRecord.objects.values_list("provider_id", flat=True))
    assert len(stored) == 160 - len(poisoned) and not stored & {str(i) for i in poisoned}
    mark = ImportWatermark.objects.get(account=account, source=Source.TELEPHONE)
    assert mark.imported_until == now
    assert mark.last_skipped == len(poisoned) and mark.last_count == 160 - len(poisoned)
    assert {r["provider_id"] for r in mark.skipped_records} == {str(i) for i in poisoned}
    assert {(r["code"], r["field"]) for r in mark.skipped_records} == {("out_of_range", "duration")}
    assert f"{len(poisoned)} records skipped" in summary.status()


def test_a_batch_the_database_refuses_is_written_record_by_record(account, sandbox, monkeypatch) -> None:
    """A record the database still refuses after fitting (here: no start time) leaves the rest of its batch in."""
    rows = [
        {"source": Source.PBX, "provider_id": f"u{i}", "start": sandbox.clock.now(), "disposition": "answered",
         "raw": {}, "caller": LONG_CLI}
        for i in range(5)
    ]  # fmt: skip
    rows[2]["start"] = None
    skipped: list[services.SkippedRecord] = []
    written = services.call_records_upsert(account=account, rows=rows, skipped=skipped)
    assert written == 4 and [s.provider_id for s in skipped] == ["u2"]
    assert set(CallRecord.objects.values_list("provider_id", flat=True)) == {"u0", "u1", "u3", "u4"}


def test_the_calls_list_tells_an_admin_how_many_records_were_skipped(
    alice_client, bob_client, account, sandbox, monkeypatch
) -> None:
    poisoned = _poison(monkeypatch, {"duration": -5e15}, every=50)
    services.tel_history_import(account=account, now=sandbox.clock.now())
    notice = alice_client.get(reverse("calls-list")).content.decode()
    assert 'data-testid="import-skipped"' in notice
    assert f"{len(poisoned)} call records" in notice and str(poisoned[0]) in notice
    assert "duration (s) is out of range: -5000000000000000" in notice
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    notice = alice_client.get(reverse("calls-list")).content.decode()
    assert "süre (sn) aralık dışında: -5000000000000000" in notice
    assert 'data-testid="import-skipped"' not in bob_client.get(reverse("calls-list")).content.decode()


@pytest.mark.parametrize(
    ("cost", "expected"),
    [("0.09", Decimal("0.09000")), ("1e15", None), ("NaN", None), ("abc", None), (None, None)],
)
def test_a_cost_the_column_cannot_hold_is_left_empty(cost, expected) -> None:
    assert fit_to_columns({"provider_id": "1", "cost": cost})["cost"] == expected


def test_a_record_without_an_id_or_with_an_impossible_duration_is_rejected() -> None:
    with pytest.raises(RecordRejected):
        fit_to_columns({"provider_id": "", "duration": 3})
    with pytest.raises(RecordRejected, match="billed_seconds"):
        fit_to_columns({"provider_id": "1", "billed_seconds": 2**40})
