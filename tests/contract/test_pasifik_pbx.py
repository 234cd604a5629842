"""PasifikClient PBX endpoints against the Pasifik sandbox: peers, extensions, CDRs, recordings, calls."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from providers.errors import InvalidRequest, NotFound, PermissionDenied, ProviderUnavailable
from providers.files import CHUNK_SIZE
from providers.pasifik import PBX_MESSAGES, ActiveCalls, Download, PasifikClient, PbxCdr
from sandbox.core import RecordedRequest, Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS, DEMO_EXTENSIONS, DEMO_PBX_TRUNK

DEMO_AUTHORIZATION = base64.b64encode(b"demo:demo-pass").decode()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(sandbox_url: str, waits: list[float]) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=waits.append) as client:
        yield client


def the_request(sandbox: Sandbox, path: str) -> RecordedRequest:
    [request] = sandbox.requests_for("pasifik")
    assert request.method == "POST"
    assert request.path == path
    assert request.header("Authorization") == DEMO_AUTHORIZATION
    assert request.header("Content-Type") == "application/json"
    assert request.header("Accept") == "application/json"
    return request


def a_cdr_with_a_recording(client: PasifikClient) -> PbxCdr:
    return next(cdr for cdr in client.pbx_cdr(recordings="only") if cdr.has_recording)


def test_it_lists_sip_peers_with_their_latency(client: PasifikClient, sandbox: Sandbox) -> None:
    peers = {peer.name: peer for peer in client.pbx_sip_peers()}

    assert the_request(sandbox, "/en/api/pbx/sippeers/").json() == {}
    assert set(peers) == {DEMO_PBX_TRUNK, *DEMO_EXTENSIONS}
    trunk = peers[DEMO_PBX_TRUNK]
    assert (trunk.status, trunk.latency_ms, trunk.is_reachable) == ("OK (15 ms)", 15, True)
    assert (trunk.ip_address, trunk.port, trunk.dynamic) == ("1.1.1.1", 5060, False)
    unknown = peers["104"]
    assert (unknown.latency_ms, unknown.ip_address, unknown.port, unknown.is_reachable) == (None, None, None, False)
    assert isinstance(peers["100"].latency_ms, int)


def test_it_drops_the_sip_password_of_every_extension(
    client: PasifikClient, sandbox: Sandbox, sandbox_url: str
) -> None:
    raw = requests.post(
        f"{sandbox_url}/pasifik/en/api/pbx/sipextensions/",
        json={},
        headers={"Authorization": DEMO_AUTHORIZATION},
        timeout=5,
    ).json()["body"]
    secrets = {settings["secret"] for settings in raw.values()}
    sandbox.requests.clear()

    extensions = client.pbx_sip_extensions()

    assert the_request(sandbox, "/en/api/pbx/sipextensions/").json() == {}
    assert {extension.name for extension in extensions} == set(raw)
    for extension in extensions:
        assert "secret" not in extension.settings
        assert not hasattr(extension, "raw")
        dumped = repr(extension) + json.dumps(dict(extension.settings)) + repr(vars(extension))
        assert not any(secret in dumped for secret in secrets)
    trunk = next(extension for extension in extensions if extension.name == DEMO_PBX_TRUNK)
    assert trunk.is_trunk and trunk.host == "sip.pasifiktelekom.com.tr"
    phone = next(extension for extension in extensions if extension.name == "100")
    assert (phone.type, phone.port, phone.callerid) == ("friend", 5060, "100 <100>")


def test_it_sends_every_cdr_filter_in_utc(client: PasifikClient, sandbox: Sandbox) -> None:
    start = datetime(2026, 9, 1, 13, 12, 45, tzinfo=ZoneInfo("Europe/Istanbul"))

    client.pbx_cdr(
        start_date=start,
        end_date=start + timedelta(hours=5),
        field_name="dst",
        field_pattern="%0532",
        status="NO ANSWER",
        recordings="without",
    )

    assert the_request(sandbox, "/en/api/pbx/cdr/").json() == {
        "start_date": "2026-09-01 10:12:45",
        "end_date": "2026-09-01 15:12:45",
        "field_name": "dst",
        "field_pattern": "%0532",
        "status": "NO ANSWER",
        "recordings": "without",
    }


def test_it_posts_an_empty_object_for_an_unfiltered_cdr_report(client: PasifikClient, sandbox: Sandbox) -> None:
    cdrs = client.pbx_cdr()

    assert the_request(sandbox, "/en/api/pbx/cdr/").json() == {}
    assert len(cdrs) > 100
    for cdr in cdrs:
        assert cdr.calldate is not None and cdr.calldate.tzinfo == ZoneInfo("Europe/Istanbul")
        assert isinstance(cdr.duration, int) and isinstance(cdr.billsec, int)
        assert cdr.duration >= cdr.billsec
        assert cdr.started_at == cdr.calldate  # the sandbox's uniqueid agrees with calldate on Istanbul's clock


def test_it_reads_only_the_cdrs_its_filters_asked_for(client: PasifikClient, sandbox: Sandbox) -> None:
    end = sandbox.clock.now()
    start = end - timedelta(days=5)

    cdrs = client.pbx_cdr(start_date=start, end_date=end, status="ANSWERED", recordings="only")

    assert cdrs
    assert all(cdr.disposition == "ANSWERED" and cdr.has_recording for cdr in cdrs)
    assert all(start - timedelta(seconds=1) <= cdr.calldate <= end for cdr in cdrs if cdr.calldate)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"field_name": "clid"}, "field_name"),
        ({"status": "ANSWERED,BUSY"}, "status"),
        ({"recordings": "some"}, "recordings"),
        ({"start_date": datetime(2026, 9, 1)}, "start_date"),
    ],
)
def test_it_rejects_cdr_filters_the_document_does_not_list(
    client: PasifikClient, sandbox: Sandbox, options: dict, field: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.pbx_cdr(**options)

    assert field in caught.value.field_errors
    assert sandbox.requests_for("pasifik") == []


def test_it_streams_a_recording_named_by_a_cdr(client: PasifikClient, sandbox: Sandbox) -> None:
    cdr = a_cdr_with_a_recording(client)
    sandbox.requests.clear()

    with client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.call_day) as download:
        assert isinstance(download, Download)
        assert download.filename == cdr.recordingfile
        chunks = list(download)

    assert the_request(sandbox, "/en/api/pbx/cdr/wav/").json() == {
        "wavname": cdr.recordingfile,
        "calldate": cdr.calldate.strftime("%Y-%m-%d"),
    }
    body = b"".join(chunks)
    assert body.startswith(b"RIFF") and body[8:12] == b"WAVE"
    assert all(len(chunk) <= CHUNK_SIZE for chunk in chunks)
    if download.size:
        assert len(body) == download.size


def test_it_writes_a_recording_to_a_file_object(client: PasifikClient) -> None:
    cdr = a_cdr_with_a_recording(client)
    target = io.BytesIO()

    written = client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.call_day).write_to(target)

    assert written == len(target.getvalue()) > 44
    assert target.getvalue().startswith(b"RIFF")


@pytest.mark.parametrize("wavname", ["*.wav", "../etc/passwd.wav", "q-0000-.*", "a b.wav", "call.mp3", ""])
def test_it_refuses_a_wavname_that_is_not_a_plain_recording_name(
    client: PasifikClient, sandbox: Sandbox, wavname: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.pbx_cdr_wav(wavname=wavname, calldate=datetime(2026, 1, 1, tzinfo=UTC).date())

    assert "wavname" in caught.value.field_errors
    assert sandbox.requests_for("pasifik") == []


def test_it_raises_not_found_for_a_recording_of_another_day(client: PasifikClient) -> None:
    cdr = a_cdr_with_a_recording(client)

    with pytest.raises(NotFound):
        client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.call_day - timedelta(days=1))


def test_it_retries_a_recording_download_after_a_server_error(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    cdr = a_cdr_with_a_recording(client)
    sandbox.inject("502", provider="pasifik", path="pbx/cdr/wav")

    with client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.call_day) as download:
        assert b"".join(download).startswith(b"RIFF")
    assert len(waits) == 1


def test_it_reads_active_calls_and_the_summary_lines(client: PasifikClient, sandbox: Sandbox) -> None:
    active = client.pbx_active_calls()

    assert the_request(sandbox, "/en/api/pbx/activecall/").json() == {}
    assert isinstance(active, ActiveCalls)
    assert active.active_channels == len(active.channels)
    assert isinstance(active.calls_processed, int)
    for channel in active.channels:
        assert channel.state in ("Up", "Ring", "Ringing", "Down")
        assert isinstance(channel.duration, timedelta)
        assert isinstance(channel.priority, int)


@pytest.mark.parametrize(
    ("central", "error", "code"),
    [
        ("onlin", PermissionDenied, 412),
        ("oflin", ProviderUnavailable, 410),
        ("noact", PermissionDenied, 423),
        ("noreg", NotFound, 404),
    ],
)
def test_it_raises_the_error_of_each_pbx_state_whatever_the_http_status(
    client: PasifikClient, sandbox: Sandbox, central: str, error: type[Exception], code: int
) -> None:
    sandbox.by_name["pasifik"].pbx_central = central  # the sandbox answers these with HTTP 200

    for call in (client.pbx_sip_peers, client.pbx_sip_extensions, client.pbx_cdr, client.pbx_active_calls):
        with pytest.raises(error) as caught:
            call()
        assert caught.value.status_code == code
        assert caught.value.message == PBX_MESSAGES[code]


def test_it_raises_for_a_pbx_state_on_a_recording_download(client: PasifikClient, sandbox: Sandbox) -> None:
    cdr = a_cdr_with_a_recording(client)
    sandbox.by_name["pasifik"].pbx_central = "noact"

    with pytest.raises(PermissionDenied):
        client.pbx_cdr_wav(wavname=cdr.recordingfile, calldate=cdr.call_day)
