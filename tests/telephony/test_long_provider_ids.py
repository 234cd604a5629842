"""A provider id longer than its column stays unique: two long ids never merge into one call."""

from __future__ import annotations

import pytest

from telephony import services
from telephony.fitting import fit_to_columns, unique_id
from telephony.models import CallRecord, Source

pytestmark = pytest.mark.django_db

PREFIX = "1479634390.36435-" + "a" * 60


def _row(provider_id: str, start) -> dict:
    return {"source": Source.PBX, "provider_id": provider_id, "start": start, "disposition": "answered", "raw": {}}


def test_two_long_ids_that_share_their_first_64_characters_are_two_calls(team_a, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "pasifik")
    first, second = PREFIX + "-one", PREFIX + "-two"
    rows = [_row(first, sandbox.clock.now()), _row(second, sandbox.clock.now())]

    assert services.call_records_upsert(account=account, rows=rows) == 2
    assert services.call_records_upsert(account=account, rows=rows) == 2  # imported again: updated, not added

    ids = set(CallRecord.objects.values_list("provider_id", flat=True))
    assert len(ids) == 2 and all(len(i) == 64 and i.startswith(PREFIX[:30]) for i in ids)
    assert {unique_id(first, 64), unique_id(second, 64)} == ids


def test_an_id_that_fits_is_kept_as_it_is() -> None:
    assert fit_to_columns({"provider_id": "1479634390.36435"})["provider_id"] == "1479634390.36435"
    assert unique_id("x" * 64, 64) == "x" * 64
    assert unique_id("x" * 65, 64) != unique_id("x" * 66, 64)
