"""Real media for the sandbox's demo data: playable WAV, valid PDF, fax TIFF.

Everything is deterministic (derived from a seed string) and cached, so a
recording or a fax document downloads byte-for-byte the same every time and a
second download costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import sys
import wave
from array import array
from functools import lru_cache

WAV_RATE = 8000  # telephone quality: 8 kHz, mono, 16-bit
FAX_WIDTH = 1728  # the ITU T.4 line width in pixels
FAX_HEIGHT_FINE = 2255  # A4 at 196 lines per inch ("is_enhanced": true)
FAX_HEIGHT_NORMAL = 1078  # A4 at 98 lines per inch
FAX_DPI_FINE = (204, 196)
FAX_DPI_NORMAL = (204, 98)

# A pentatonic scale: any sequence of these sounds like a tune, not a fault.
_NOTES = (261.63, 293.66, 329.63, 392.00, 440.00, 523.25, 587.33, 659.25, 783.99, 880.00)


def _rng(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big"))


@lru_cache(maxsize=128)
def wav_bytes(seed: str, seconds: float = 8.0) -> bytes:
    """A playable 8 kHz mono 16-bit WAV of ``seconds`` of tones.

    Each half second plays a different note chosen from ``seed``, so two
    recordings sound different and seeking within one is audible.
    """
    rng = _rng(seed)
    seconds = max(1.0, min(float(seconds), 60.0))
    total = int(WAV_RATE * seconds)
    segment = WAV_RATE // 2
    fade = WAV_RATE // 100  # 10 ms ramps avoid clicks between notes
    samples = array("h")
    for start in range(0, total, segment):
        length = min(segment, total - start)
        frequency = rng.choice(_NOTES)
        step = 2 * math.pi * frequency / WAV_RATE
        amplitude = 9000 if rng.random() > 0.15 else 0  # the odd pause, like speech
        for i in range(length):
            envelope = min(1.0, i / fade, (length - i) / fade)
            samples.append(int(amplitude * envelope * math.sin(step * i)))
    if sys.byteorder == "big":  # WAV samples are little-endian
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(WAV_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _pdf_text(text: str) -> str:
    # The standard Helvetica font speaks Latin-1 (WinAnsi); fold the rest.
    folded = text.translate(str.maketrans("ğĞıİşŞ", "gGiISS")).encode("latin-1", "replace").decode("latin-1")
    return folded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


@lru_cache(maxsize=128)
def pdf_bytes(title: str, pages: tuple[tuple[str, ...], ...] = ()) -> bytes:
    """A valid PDF (A4, Helvetica) with one page per entry of ``pages``.

    Written by hand: a catalog, a page tree, one font and a content stream per
    page, with an exact cross-reference table so strict readers open it.
    """
    pages = pages or ((title,),)
    objects: list[bytes] = []
    page_count = len(pages)
    font_id = 3
    first_page_id = 4
    kids = " ".join(f"{first_page_id + 2 * i} 0 R" for i in range(page_count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {page_count} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for number, lines in enumerate(pages, start=1):
        content_id = first_page_id + 2 * (number - 1) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        text = [f"BT /F1 18 Tf 56 780 Td ({_pdf_text(title)}) Tj ET"]
        y = 740
        for line in (*lines, f"Page {number} / {page_count}"):
            text.append(f"BT /F1 12 Tf 56 {y} Td ({_pdf_text(line)}) Tj ET")
            y -= 18
        stream = "\n".join(text).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % index + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@lru_cache(maxsize=64)
def fax_tiff_bytes(seed: str, pages: int = 1, enhanced: bool = True) -> bytes:
    """A multi-page bilevel fax TIFF, CCITT Group 4, 1728 pixels wide.

    ``enhanced`` is the fine resolution (204x196 dpi, 1728x2255) of the
    document's ``is_enhanced``; otherwise normal (204x98 dpi, 1728x1078).
    """
    from PIL import Image, ImageDraw, ImageFont  # imported here: only fax downloads need Pillow

    height = FAX_HEIGHT_FINE if enhanced else FAX_HEIGHT_NORMAL
    scale = 1.0 if enhanced else 0.5
    rng = _rng(seed)
    try:
        title_font = ImageFont.load_default(size=int(64 * scale) or 1)
        body_font = ImageFont.load_default(size=int(36 * scale) or 1)
    except TypeError:  # Pillow without FreeType sizes
        title_font = body_font = ImageFont.load_default()
    images = []
    for number in range(1, max(1, pages) + 1):
        image = Image.new("1", (FAX_WIDTH, height), 1)
        draw = ImageDraw.Draw(image)
        draw.rectangle((40, int(40 * scale), FAX_WIDTH - 40, height - int(40 * scale)), outline=0, width=4)
        draw.text((120, int(140 * scale)), "PASIFIK TELEKOM - FAX", font=title_font, fill=0)
        draw.text((120, int(260 * scale)), f"Document {seed}", font=body_font, fill=0)
        draw.text((120, int(320 * scale)), f"Page {number} / {pages}", font=body_font, fill=0)
        y = int(440 * scale)
        while y < height - int(200 * scale):
            width = rng.randint(600, FAX_WIDTH - 320)  # "text lines" as bars, like a scanned letter
            draw.rectangle((120, y, 120 + width, y + int(18 * scale)), fill=0)
            y += int(rng.choice((50, 50, 50, 110)) * scale)
        images.append(image)
    buffer = io.BytesIO()
    dpi = FAX_DPI_FINE if enhanced else FAX_DPI_NORMAL
    images[0].save(buffer, format="TIFF", compression="group4", dpi=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()
