"""The waveform beside the player: peaks computed once on the server when a recording is stored."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import wave
from array import array

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.roles import Role
from telephony import services, waveform
from telephony.models import CallRecord, Source
from tests.conftest import client_for
from tests.factories import MembershipFactory, ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

RATE = 8000


def burst_then_silence_wav(*, width: int = 2, channels: int = 1, amplitude: float = 0.8) -> bytes:
    """One second of a 440 Hz sine at ``amplitude`` of full scale, then one second of silence."""
    full = {1: 127, 2: 32767, 4: 2147483647}[width]
    code = {1: "B", 2: "h", 4: "i"}[width]
    samples = array(code)
    for n in range(2 * RATE):
        value = amplitude * math.sin(2 * math.pi * 440 * n / RATE) if n < RATE else 0.0
        sample = int(value * full) + (128 if width == 1 else 0)
        samples.extend([sample] * channels)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize(("width", "channels"), [(2, 1), (1, 1), (2, 2), (4, 1)])
def test_a_sine_burst_then_silence_gives_high_then_zero_peaks(width, channels) -> None:
    peaks = waveform.wav_peaks(io.BytesIO(burst_then_silence_wav(width=width, channels=channels)), count=100)
    assert len(peaks) == 100
    assert all(0.75 <= p <= 0.81 for p in peaks[:50]), peaks[:50]
    assert all(p <= 0.01 for p in peaks[50:]), peaks[50:]


def test_there_are_never_more_peaks_than_samples_and_an_empty_file_has_none() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(array("h", [1000, -2000, 3000]).tobytes())
    assert waveform.wav_peaks(io.BytesIO(buffer.getvalue()), count=1000) == [
        round(1000 / 32768, 3), round(2000 / 32768, 3), round(3000 / 32768, 3),
    ]  # fmt: skip
    empty = io.BytesIO()
    with wave.open(empty, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
    assert waveform.wav_peaks(io.BytesIO(empty.getvalue())) == []


@pytest.fixture
def call(team_a, sandbox_account, sandbox) -> CallRecord:
    account = sandbox_account(team_a, "pasifik")
    services.pbx_cdr_import(account=account, now=sandbox.clock.now())
    return CallRecord.objects.filter(source=Source.PBX, has_recording=True).order_by("-start").first()


def test_fetching_a_recording_stores_its_peaks_once(call, alice_client, monkeypatch) -> None:
    counted = []
    real = services.stored_recording_peaks
    monkeypatch.setattr(services, "stored_recording_peaks", lambda name: counted.append(name) or real(name))
    assert call.recording_peaks is None
    b"".join(alice_client.get(reverse("calls-recording", args=[call.pk])).streaming_content)
    call.refresh_from_db()
    assert len(counted) == 1
    assert 100 <= len(call.recording_peaks) <= waveform.PEAK_COUNT
    assert max(call.recording_peaks) > 0.1  # the sandbox plays tones
    # played again, its page drawn again, its fragment asked again: nothing is recomputed
    b"".join(alice_client.get(reverse("calls-recording", args=[call.pk])).streaming_content)
    page = alice_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    alice_client.get(reverse("calls-waveform", args=[call.pk]))
    assert len(counted) == 1
    assert 'data-testid="waveform"' in page and reverse("calls-waveform", args=[call.pk]) not in page


def test_the_call_page_asks_for_the_waveform_while_the_recording_is_not_stored(call, alice_client, sandbox) -> None:
    page = alice_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    assert f'hx-get="{reverse("calls-waveform", args=[call.pk])}"' in page
    assert sandbox.requests_for("pasifik", "pbx/cdr/wav") == []  # the page itself did not wait on the provider
    fragment = alice_client.get(reverse("calls-waveform", args=[call.pk])).content.decode()
    assert 'data-testid="waveform"' in fragment and "<path" in fragment
    call.refresh_from_db()
    assert call.recording and call.recording_peaks


def stored_call(team, content: bytes, *, peaks=None) -> CallRecord:
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team), recording_name="in-1.wav", has_recording=True,
        recording_peaks=peaks,
    )  # fmt: skip
    call.recording.save(f"call-{call.pk}.wav", ContentFile(content), save=True)
    return call


def test_a_recording_stored_before_waveforms_gets_its_peaks_once(storage_backend, team_a, alice_client) -> None:
    call = stored_call(team_a, burst_then_silence_wav())
    assert storage_backend.read(call.recording.name) == burst_then_silence_wav()
    fragment = alice_client.get(reverse("calls-waveform", args=[call.pk])).content.decode()
    assert 'data-testid="waveform"' in fragment
    call.refresh_from_db()
    assert len(call.recording_peaks) == waveform.PEAK_COUNT
    assert call.recording_peaks[0] > 0.7 and call.recording_peaks[-1] == 0


def test_an_unreadable_recording_shows_the_plain_player_and_is_not_read_again(
    storage_backend, team_a, alice_client, monkeypatch
) -> None:
    monkeypatch.setattr(waveform.shutil, "which", lambda name: None)  # as on a machine without ffmpeg
    call = stored_call(team_a, b"ID3 not a wav at all" * 50)
    alice_client.get(reverse("calls-waveform", args=[call.pk]))
    call.refresh_from_db()
    assert call.recording_peaks == []
    page = alice_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    assert 'data-testid="player"' in page
    assert 'data-testid="waveform"' not in page and reverse("calls-waveform", args=[call.pk]) not in page


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (apt-get install ffmpeg)")
def test_ffmpeg_reads_what_the_standard_library_cannot(storage_backend, team_a, alice_client, tmp_path) -> None:
    source = tmp_path / "burst.wav"
    source.write_bytes(burst_then_silence_wav())
    ulaw = tmp_path / "burst-ulaw.wav"  # G.711 μ-law in a WAV, as some PBXs record
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(source), "-c:a", "pcm_mulaw", str(ulaw)], check=True)
    call = stored_call(team_a, ulaw.read_bytes())
    alice_client.get(reverse("calls-waveform", args=[call.pk]))
    call.refresh_from_db()
    half = len(call.recording_peaks) // 2
    assert min(call.recording_peaks[: half - 5]) > 0.7 and max(call.recording_peaks[half + 5 :]) < 0.01


def test_the_svg_draws_one_bar_per_peak_from_the_middle() -> None:
    path = waveform.svg_path([1.0, 0.0, 0.5])
    assert path == "M0.5 0.0V100.0M1.5 49.5V50.5M2.5 25.0V75.0"


def test_the_waveform_needs_listen_permission_and_respects_limits(team_a) -> None:
    call = stored_call(team_a, burst_then_silence_wav())
    viewer = MembershipFactory(team=team_a, role=Role.VIEWER).user
    assert client_for(viewer).get(reverse("calls-waveform", args=[call.pk])).status_code == 403
    limited = MembershipFactory(team=team_a, role=Role.OPERATOR, recording_numbers=["999"]).user
    assert client_for(limited).get(reverse("calls-waveform", args=[call.pk])).status_code == 404


def test_another_teams_waveform_is_not_found(team_b, alice_client) -> None:
    theirs = stored_call(team_b, burst_then_silence_wav())
    assert alice_client.get(reverse("calls-waveform", args=[theirs.pk])).status_code == 404
