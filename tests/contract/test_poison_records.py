"""A record of a provider's list that cannot be read is skipped and reported; the others are read.

The sandbox serves one malformed record among good ones (``poison_record``, sandbox/poison.py).
A whole answer that is not what the document promises is still an UnexpectedResponse.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from providers.errors import UnexpectedResponse
from providers.pasifik import PasifikClient
from providers.records import SkippedRecord
from providers.telphin import TelphinClient
from providers.telsam import TelsamClient
from providers.verimor import VerimorClient
from sandbox import pasifik, telphin, telsam, verimor
from sandbox.core import Sandbox
from sandbox.poison import POISON_ID, POISON_TEXT

ISTANBUL = ZoneInfo("Europe/Istanbul")
ACCOUNT = pasifik.DEMO_TELEPHONE_IDS[0]


@pytest.fixture
def pasifik_client(sandbox_url: str) -> Iterator[PasifikClient]:
    with PasifikClient(**pasifik.DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=lambda _: None) as client:
        yield client


def _poison(sandbox: Sandbox, provider: str) -> None:
    sandbox.by_name[provider].poison_record = True


def _the_poison(skipped: list[SkippedRecord], provider: str, what: str) -> SkippedRecord:
    assert len(skipped) == 1
    [record] = skipped
    assert (record.provider, record.what, record.record_id) == (provider, what, str(POISON_ID))
    assert record.raw is not None and POISON_TEXT in record.raw.values()
    return record


def test_a_history_cdr_that_cannot_be_read_is_skipped_and_paging_still_counts_it(
    pasifik_client: PasifikClient, sandbox: Sandbox
) -> None:
    clean = list(pasifik_client.iter_tel_history(i_account=ACCOUNT, type="all", page_size=50))
    sandbox.reset()
    _poison(sandbox, "pasifik")
    skipped: list[SkippedRecord] = []

    calls = list(pasifik_client.iter_tel_history(i_account=ACCOUNT, type="all", page_size=50, on_skip=skipped.append))

    record = _the_poison(skipped, "pasifik", "telephone history")
    assert "connect_time" in record.reason
    assert [call.i_cdr for call in calls] == [call.i_cdr for call in clean]  # none lost at a page boundary
    offsets = [request.json()["offset"] for request in sandbox.requests_for("pasifik")]
    assert offsets == [50 * k for k in range((len(clean) + 1) // 50 + 1)]


def test_without_on_skip_a_bad_history_cdr_is_only_logged(
    pasifik_client: PasifikClient, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    _poison(sandbox, "pasifik")

    calls = pasifik_client.tel_history(i_account=ACCOUNT, type="all", limit=10)

    assert len(calls) == 9 and POISON_ID not in {call.i_cdr for call in calls}
    assert f"telephone history record '{POISON_ID}' skipped" in caplog.text


def test_a_pbx_cdr_that_cannot_be_read_is_skipped(pasifik_client: PasifikClient, sandbox: Sandbox) -> None:
    clean = pasifik_client.pbx_cdr()
    _poison(sandbox, "pasifik")
    skipped: list[SkippedRecord] = []

    cdrs = pasifik_client.pbx_cdr(on_skip=skipped.append)

    assert "duration" in _the_poison(skipped, "pasifik", "PBX CDRs").reason
    assert [cdr.uniqueid for cdr in cdrs] == [cdr.uniqueid for cdr in clean]


def test_an_inbox_fax_that_cannot_be_read_is_skipped(pasifik_client: PasifikClient, sandbox: Sandbox) -> None:
    today = sandbox.clock.now().astimezone(ISTANBUL).date()
    window = {"start_date": today - timedelta(days=7), "end_date": today}
    clean = pasifik_client.fax_query_inbox(**window)
    _poison(sandbox, "pasifik")
    skipped: list[SkippedRecord] = []

    inbox = pasifik_client.fax_query_inbox(**window, on_skip=skipped.append)

    assert "datetime" in _the_poison(skipped, "pasifik", "fax inbox").reason
    assert clean and [fax.fax_id for fax in inbox] == [fax.fax_id for fax in clean]


def test_a_verimor_fax_record_that_cannot_be_read_is_skipped(sandbox_url: str, sandbox: Sandbox) -> None:
    client = VerimorClient(**verimor.DEMO_CREDENTIALS, base_url=f"{sandbox_url}/verimor", sleep=lambda _: None)
    clean = list(client.iter_fdrs(limit=10))
    _poison(sandbox, "verimor")
    skipped: list[SkippedRecord] = []

    records = list(client.iter_fdrs(limit=10, on_skip=skipped.append))

    assert "unreadable time" in _the_poison(skipped, "verimor", "fax records").reason
    assert [r.call_uuid for r in records] == [r.call_uuid for r in clean]


def test_a_telsam_fax_that_cannot_be_read_is_skipped(sandbox_url: str, sandbox: Sandbox) -> None:
    client = TelsamClient(
        **telsam.DEMO_CREDENTIALS,
        base_url=f"{sandbox_url}/telsam",
        redirect_uri=telsam.DEMO_REDIRECT_URI,
        sleep=lambda _: None,
    )
    now = sandbox.clock.now().astimezone(UTC)
    window = {"start_date": now - timedelta(days=30), "end_date": now + timedelta(hours=1)}
    clean = list(client.iter_faxes(**window))
    _poison(sandbox, "telsam")
    skipped: list[SkippedRecord] = []

    faxes = list(client.iter_faxes(**window, on_skip=skipped.append))

    assert "unreadable time" in _the_poison(skipped, "telsam", "faxes").reason
    assert [f.id for f in faxes] == [f.id for f in clean] and len(clean) > 1


def test_a_telphin_received_fax_that_cannot_be_read_is_skipped(sandbox_url: str, sandbox: Sandbox) -> None:
    client = TelphinClient(
        **telphin.DEMO_CREDENTIALS,
        extension_id=telphin.DEMO_EXTENSION_ID,
        base_url=f"{sandbox_url}/telphin",
        sleep=lambda _: None,
    )
    _poison(sandbox, "telphin")
    skipped: list[SkippedRecord] = []

    faxes = client.fax_in_list(on_skip=skipped.append)

    assert "unreadable time" in _the_poison(skipped, "telphin", "received faxes").reason
    assert len(faxes) == 2 and str(POISON_ID) not in {fax.uuid for fax in faxes}


def test_a_whole_answer_that_is_not_a_list_is_still_unexpected(pasifik_client: PasifikClient, sandbox: Sandbox) -> None:
    sandbox.inject("malformed", provider="pasifik", path="pbx/cdr")
    skipped: list[SkippedRecord] = []

    with pytest.raises(UnexpectedResponse):
        pasifik_client.pbx_cdr(on_skip=skipped.append)
    assert skipped == []


def test_the_poison_toggle_is_off_after_a_reset(sandbox: Sandbox) -> None:
    for name in ("pasifik", "verimor", "telsam", "telphin"):
        sandbox.by_name[name].poison_record = True
    sandbox.reset()
    assert not any(sandbox.by_name[name].poison_record for name in ("pasifik", "verimor", "telsam", "telphin"))
