"""PBX call times (issue 10): ``uniqueid``'s Unix time is exact; ``calldate`` is the PBX's wall clock.

The document's CDR example has ``"uniqueid": "1479634390.36435"`` (09:33:10 UTC)
beside ``"calldate": "2016-11-20 11:33:10"``: local time, not UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from providers.errors import NotFound
from providers.pasifik import PasifikClient, PbxCdr
from sandbox.core import Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS

ISTANBUL = ZoneInfo("Europe/Istanbul")
EXAMPLE = {"uniqueid": "1479634390.36435", "calldate": "2016-11-20 11:33:10", "duration": "15", "billsec": "0"}


@pytest.fixture
def client(sandbox_url: str) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=lambda _: None) as client:
        yield client


def test_the_start_of_the_documents_example_is_its_uniqueid_instant() -> None:
    cdr = PbxCdr.model_validate(EXAMPLE)

    assert cdr.start == datetime(2016, 11, 20, 9, 33, 10, tzinfo=UTC)
    assert cdr.calldate == datetime(2016, 11, 20, 11, 33, 10, tzinfo=ISTANBUL)
    assert cdr.call_day == datetime(2016, 11, 20).date()


def test_without_a_unix_time_in_uniqueid_calldate_is_read_in_the_pbx_zone() -> None:
    istanbul = PbxCdr.model_validate({**EXAMPLE, "uniqueid": "pbx-call-7"})
    berlin = PbxCdr.model_validate({**EXAMPLE, "uniqueid": "pbx-call-7"}, context={"zone": ZoneInfo("Europe/Berlin")})

    assert istanbul.start == datetime(2016, 11, 20, 8, 33, 10, tzinfo=UTC)  # UTC+3
    assert berlin.start == datetime(2016, 11, 20, 10, 33, 10, tzinfo=UTC)  # UTC+1 in November


def test_a_uniqueid_with_the_pbxs_system_name_still_gives_the_exact_start() -> None:
    cdr = PbxCdr.model_validate({**EXAMPLE, "uniqueid": "pasifik-pbx1-1479634390.36435"})

    assert cdr.start == datetime(2016, 11, 20, 9, 33, 10, tzinfo=UTC)


def test_the_client_reads_calldate_in_its_pbx_zone(sandbox_url: str, sandbox: Sandbox) -> None:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", pbx_zone="UTC") as utc_client:
        cdr = utc_client.pbx_cdr()[0]

    assert cdr.calldate is not None and cdr.calldate.tzinfo == ZoneInfo("UTC")
    assert cdr.start == cdr.started_at  # the exact time does not depend on the option


def test_an_unknown_pbx_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone name"):
        PasifikClient(**DEMO_CREDENTIALS, pbx_zone="Istanbul+3")


def test_the_sandbox_writes_calldate_as_the_istanbul_clock_of_the_uniqueid_instant(client: PasifikClient) -> None:
    cdrs = client.pbx_cdr()

    assert len(cdrs) > 100
    for cdr in cdrs:
        instant = datetime.fromtimestamp(int(cdr.uniqueid.split(".")[0]), UTC)
        assert cdr.raw["calldate"] == instant.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S")
        if cdr.recordingfile:
            assert instant.astimezone(ISTANBUL).strftime("%Y%m%d-%H%M%S") in cdr.recordingfile


def evening_call(client: PasifikClient) -> PbxCdr:
    """A recorded call between 21:00 and 24:00 UTC: its Istanbul day is the next UTC day."""
    for cdr in client.pbx_cdr(recordings="only"):
        if cdr.started_at and cdr.started_at.astimezone(ISTANBUL).date() != cdr.started_at.date():
            return cdr
    raise AssertionError("no evening call in the sandbox's 30 days")


def test_a_recording_is_asked_for_by_the_pbxs_day_of_the_call(client: PasifikClient, sandbox: Sandbox) -> None:
    cdr = evening_call(client)

    with client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.started_at) as download:
        assert b"".join(download)[:4] == b"RIFF"

    sent = sandbox.requests_for("pasifik", "pbx/cdr/wav")[-1].json()["calldate"]
    assert sent == cdr.call_day.isoformat() == cdr.raw["calldate"][:10]
    with pytest.raises(NotFound):  # the UTC day is not the PBX's
        client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.started_at.date())
