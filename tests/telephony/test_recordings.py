"""Recordings: fetched once with the CDR's own file name and day, served with HTTP Range."""

from __future__ import annotations

from email.message import Message
from email.utils import collapse_rfc2231_value
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import AuditEvent
from core.stored_files import Unsatisfiable, parse_range
from telephony import services
from telephony.models import CallRecord, Source
from tests.telephony.factories import CallRecordFactory

# Every test here runs with the recording in the local folder and in an S3 bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage_backend")]


@pytest.fixture
def call(team_a, sandbox_account, sandbox) -> CallRecord:
    account = sandbox_account(team_a, "pasifik")
    services.pbx_cdr_import(account=account, now=sandbox.clock.now())
    sandbox.requests.clear()
    return CallRecord.objects.filter(source=Source.PBX, has_recording=True).order_by("-start").first()


def get(client, call, **headers):
    return client.get(reverse("calls-recording", args=[call.pk]), headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_fetches_the_recording_once_with_the_cdr_file_name_and_day(
    storage_backend, alice_client, call, sandbox
) -> None:
    first = get(alice_client, call)
    assert first.status_code == 200
    whole = body(first)
    assert whole[:4] == b"RIFF"
    assert first["Accept-Ranges"] == "bytes" and first["Content-Type"] == "audio/wav"
    assert body(get(alice_client, call)) == whole
    asked = [r.json() for r in sandbox.requests_for("pasifik", "pbx/cdr/wav")]
    # The day as the PBX's clock has it (Istanbul), as in the CDR's calldate, not the UTC day.
    pbx_day = call.start.astimezone(ZoneInfo("Europe/Istanbul")).date()
    assert asked == [{"wavname": call.recording_name, "calldate": pbx_day.isoformat()}]
    call.refresh_from_db()
    assert call.recording.name.startswith("recordings/")
    assert storage_backend.names("recordings/") == [call.recording.name]
    assert storage_backend.read(call.recording.name) == whole


def test_range_from_zero_to_the_end_is_a_206_with_everything(alice_client, call) -> None:
    whole = body(get(alice_client, call))
    response = get(alice_client, call, Range="bytes=0-")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{len(whole) - 1}/{len(whole)}"
    assert body(response) == whole


def test_a_middle_range_returns_just_those_bytes(alice_client, call) -> None:
    whole = body(get(alice_client, call))
    response = get(alice_client, call, Range="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Length"] == "100"
    assert response["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert body(response) == whole[100:200]


def test_a_suffix_range_returns_the_last_bytes(alice_client, call) -> None:
    whole = body(get(alice_client, call))
    response = get(alice_client, call, Range="bytes=-500")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {len(whole) - 500}-{len(whole) - 1}/{len(whole)}"
    assert body(response) == whole[-500:]


def test_a_range_past_the_end_is_416(alice_client, call) -> None:
    size = len(body(get(alice_client, call)))
    response = get(alice_client, call, Range=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("bytes=0-", (0, 999)), ("bytes=10-20", (10, 20)), ("bytes=990-5000", (990, 999)),
     ("bytes=-2000", (0, 999)), ("items=0-5", None), ("bytes=0-1,5-9", None), ("bytes=9-3", None)],
)  # fmt: skip
def test_range_headers_are_read_as_the_rfc_says(header, expected) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=-0"])
def test_unsatisfiable_ranges_are_refused(header) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 1000)


def test_every_play_and_download_is_audited_but_not_every_seek(alice_client, call, alice) -> None:
    body(get(alice_client, call, Range="bytes=0-"))
    body(get(alice_client, call, Range="bytes=5000-"))
    body(alice_client.get(reverse("calls-recording", args=[call.pk]) + "?download=1"))
    events = list(AuditEvent.objects.filter(action__startswith="calls.recording").order_by("pk"))
    assert [e.action for e in events] == ["calls.recording_play", "calls.recording_download"]
    assert events[0].actor == alice and events[0].object_id == str(call.pk)


def test_a_viewer_may_not_listen_by_default(bob_client, call) -> None:
    assert get(bob_client, call).status_code == 403


def test_a_recording_the_provider_no_longer_has_says_so(alice_client, call) -> None:
    CallRecord.objects.filter(pk=call.pk).update(recording_name="out-0000-000-gone.wav")
    response = get(alice_client, call)
    assert response.status_code == 410
    assert b"The provider no longer has this recording." in response.content
    call.refresh_from_db()
    assert call.recording_missing
    detail = alice_client.get(reverse("calls-detail", args=[call.pk]))
    assert b"The provider no longer has this recording." in detail.content


def test_a_provider_outage_is_a_clear_message_not_a_500(alice_client, call, sandbox) -> None:
    sandbox.inject("503", provider="pasifik", path="pbx/cdr/wav", times=5)
    response = get(alice_client, call)
    assert response.status_code == 502
    assert b"did not answer in time" in response.content


def test_a_call_without_a_recording_has_no_recording_url(alice_client, team_a) -> None:
    call = CallRecordFactory(account__team=team_a, has_recording=False)
    assert get(alice_client, call).status_code == 404


INJECTION = "out-1.wav\"; filename*=UTF-8''invoice.html; x=\""


def _disposition_params(header: str) -> list[tuple[str, str]]:
    """The header's parameters as a mail/HTTP parser reads them (RFC 2231/6266 style)."""
    message = Message()
    message["Content-Disposition"] = header
    return [(key.lower(), value) for key, value in message.get_params(header="content-disposition") or []]


@pytest.mark.parametrize("download", [True, False])
@pytest.mark.parametrize(
    ("provider_name", "served_as"),
    [
        (INJECTION, "call-{pk}.wav"),
        ("../../etc/out-2.wav", "out-2.wav"),
        ("görüşme 3.wav", "görüşme 3.wav"),
        ("", "call-{pk}.wav"),
    ],
)
def test_a_provider_file_name_never_adds_parameters_to_the_download_header(
    alice_client, team_a, provider_name, served_as, download
) -> None:
    stored = default_storage.save("recordings/x/stored.wav", ContentFile(b"RIFF" + b"\0" * 40))
    call = CallRecordFactory(account__team=team_a, has_recording=True, recording_name=provider_name, recording=stored)
    response = alice_client.get(reverse("calls-recording", args=[call.pk]) + ("?download=1" if download else ""))
    assert response.status_code == 200
    params = _disposition_params(response["Content-Disposition"])
    assert params[0] == ("attachment" if download else "inline", "")
    assert [key for key, _ in params[1:]] == ["filename"]  # one file name, never a second (filename*) one
    assert collapse_rfc2231_value(params[1][1]) == served_as.format(pk=call.pk)
