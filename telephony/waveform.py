"""Peaks of a recording for the waveform beside the player, computed once when the recording is stored.

The provider serves WAV (Pasifik's ``pbx/cdr/wav/``). PCM WAV is read with the standard library's
``wave``; anything else (μ-law or GSM in a WAV, MP3) is decoded by ffmpeg when the machine has it
(Debian's ``ffmpeg``, optional). When neither can read the file the peaks are an empty list: the page
shows the plain player, and the file is not read again.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import wave
from array import array
from collections.abc import Callable, Iterator
from typing import IO

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

PEAK_COUNT = 1000  # enough for a wide screen's pixels, small enough to inline as one SVG path
FFMPEG_RATE = 8000  # telephone audio: decoding to 8 kHz mono loses nothing the waveform shows
FFMPEG_TIMEOUT_SECONDS = 60

# sample width in bytes -> (array type code, full scale); 8-bit WAV is unsigned, the others signed.
_TYPECODES = {1: ("B", 128), 2: ("h", 32768), 4: ("i", 2147483648)}


def _bucket_bounds(total: int, count: int) -> Iterator[int]:
    """How many items each of ``count`` buckets holds, spreading ``total`` evenly."""
    for i in range(count):
        yield (i + 1) * total // count - i * total // count


def _peak(samples: array, full_scale: int, unsigned: bool) -> float:
    if not samples:
        return 0.0
    high, low = max(samples), min(samples)
    if unsigned:
        high, low = high - full_scale, low - full_scale
    return round(min(1.0, max(abs(high), abs(low)) / full_scale), 3)


def _samples(raw: bytes, width: int) -> tuple[array, int, bool]:
    """Little-endian PCM bytes as an array of numbers, its full scale, and whether it is unsigned."""
    if width == 3:  # no array type: widen each 24-bit sample to 32 bits (the low byte zero)
        raw = b"".join(b"\0" + raw[i : i + 3] for i in range(0, len(raw) - len(raw) % 3, 3))
        width = 4
    code, full_scale = _TYPECODES[width]
    samples = array(code)
    samples.frombytes(raw[: len(raw) - len(raw) % width])
    if width > 1 and array("h", [1]).tobytes()[0] == 0:  # a big-endian machine
        samples.byteswap()
    return samples, full_scale, code == "B"


def pcm_peaks(read_frames: Callable[[int], bytes], *, width: int, frames: int, count: int = PEAK_COUNT) -> list[float]:
    """The loudest sample (of any channel) in each of ``count`` equal stretches of ``frames`` PCM frames.

    Read a stretch at a time, so an hour-long recording never sits in memory whole.
    """
    if frames <= 0:
        return []
    count = min(count, frames)
    peaks = []
    for bucket_frames in _bucket_bounds(frames, count):
        raw = read_frames(bucket_frames)
        samples, full_scale, unsigned = _samples(raw, width)
        peaks.append(_peak(samples, full_scale, unsigned))
    return peaks


def wav_peaks(stream: IO[bytes], count: int = PEAK_COUNT) -> list[float]:
    """Peaks of a PCM WAV; ``wave.Error`` (or ``EOFError``) for anything else."""
    with wave.open(stream, "rb") as wav:
        width = wav.getsampwidth()
        if width not in (1, 2, 3, 4):
            raise wave.Error(f"unsupported sample width {width}")
        return pcm_peaks(wav.readframes, width=width, frames=wav.getnframes(), count=count)


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def ffmpeg_peaks(path: str, count: int = PEAK_COUNT) -> list[float] | None:
    """Peaks of any audio ffmpeg reads, decoded to 8 kHz mono 16-bit; None without ffmpeg or on failure."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    command = [ffmpeg, "-nostdin", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", str(FFMPEG_RATE), "-"]
    with tempfile.TemporaryFile() as pcm:
        try:
            subprocess.run(command, stdout=pcm, stderr=subprocess.PIPE, timeout=FFMPEG_TIMEOUT_SECONDS, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.warning("ffmpeg could not decode %s: %s", path, exc)
            return None
        frames = pcm.tell() // 2
        pcm.seek(0)
        return pcm_peaks(lambda n: pcm.read(n * 2), width=2, frames=frames, count=count)


def stored_recording_peaks(name: str, count: int = PEAK_COUNT) -> list[float]:
    """Peaks of a stored recording; ``[]`` when nothing here can read it (the page then hides the waveform)."""
    try:
        with default_storage.open(name, "rb") as stream:
            return wav_peaks(stream, count)
    except (wave.Error, EOFError, ValueError):
        pass
    except OSError:
        logger.warning("recording %s could not be read for its waveform", name, exc_info=True)
        return []
    # Not PCM WAV: ffmpeg wants a file, and storage (a bucket, say) has no local path: decode a temporary copy.
    with tempfile.NamedTemporaryFile(suffix=".audio") as copy, default_storage.open(name, "rb") as stream:
        shutil.copyfileobj(stream, copy)
        copy.flush()
        return ffmpeg_peaks(copy.name, count) or []


def svg_path(peaks: list[float]) -> str:
    """One SVG path of vertical bars, bar ``i`` at x = i…i+1 in a ``len(peaks)`` × 100 box, centred on y = 50.

    The quietest bar keeps a hairline so silence still reads as part of the recording.
    """
    bars = []
    for i, peak in enumerate(peaks):
        half = max(0.5, min(1.0, float(peak)) * 50)
        bars.append(f"M{i}.5 {50 - half:.1f}V{50 + half:.1f}")
    return "".join(bars)
