"""PDFs become fax TIFFs through Ghostscript's tiffg4 device where it is installed, PDFium otherwise.

Both paths must give the same pages at the same size and resolution; Ghostscript's must be
legible (read back with real OCR) and no page blank; a failing Ghostscript falls back.
"""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
from PIL import Image

from fax import documents as docs
from providers.files import PDF, PNG
from sandbox.media import pdf_bytes
from tests.fax.factories import png_bytes
from tests.fax.ocr import page_text, require_tesseract

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript is not installed (.ci/run installs it)")

SENTENCE = "the quick brown fox jumps over the lazy dog"


def text_pdf(pages: int = 3, *, letter: bool = False) -> bytes:
    content = pdf_bytes("Invoice", tuple((f"Sheet {p}", f"Line: {SENTENCE}", "Total 1234.56") for p in range(pages)))
    if not letter:
        return content
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            page.MediaBox = pikepdf.Array([0, 0, 612, 792])
        pdf.save(out)
    return out.getvalue()


def frames(tiff: bytes) -> list[tuple[tuple[int, int], tuple[float, float], str, float]]:
    """Each page's size, resolution, compression and share of black pixels."""
    seen = []
    with Image.open(io.BytesIO(tiff)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            grey = image.convert("L")
            black = grey.histogram()[0] / (grey.width * grey.height)
            seen.append((image.size, tuple(float(v) for v in image.info["dpi"]), image.info["compression"], black))
    return seen


def pixels(tiff: bytes) -> list[bytes]:
    with Image.open(io.BytesIO(tiff)) as image:
        return [(image.seek(index), image.tobytes())[1] for index in range(image.n_frames)]


def pdfium_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docs, "GHOSTSCRIPT", "no-such-ghostscript")


@pytest.mark.parametrize("letter", [False, True], ids=["A4", "Letter"])
@pytest.mark.parametrize("quality", ["fine", "normal"])
def test_ghostscript_gives_the_pdfium_paths_pages_sizes_and_resolution(
    monkeypatch: pytest.MonkeyPatch, quality: str, letter: bool
) -> None:
    content = text_pdf(letter=letter)
    rendered = docs._ghostscript_fax(content, quality=quality)
    assert rendered is not None  # Ghostscript rendered it (not the fallback)
    tiff, pages = docs.fax_tiff([(content, PDF)], quality=quality)
    assert pages == rendered[1] and pixels(tiff) == pixels(rendered[0])  # gs stamps the time: pixels, not bytes
    pdfium_only(monkeypatch)
    fallback, fallback_pages = docs.fax_tiff([(content, PDF)], quality=quality)
    assert pixels(fallback) != pixels(tiff)
    ours, theirs = frames(tiff), frames(fallback)
    assert pages == fallback_pages == len(ours) == len(theirs) == 3
    for (size, dpi, compression, black), (their_size, their_dpi, _c, their_black) in zip(ours, theirs, strict=True):
        assert (size, dpi, compression) == (their_size, their_dpi, "group4")
        assert size[0] == docs.FAX_WIDTH and dpi == (docs.FAX_HDPI, docs.VDPI[quality])
        assert 0.001 < black < 0.2  # not blank, not black
        assert black == pytest.approx(their_black, rel=0.5)  # the same ink in the same place, give or take


def test_a_ghostscript_page_is_legible_at_fine_resolution() -> None:
    languages = require_tesseract()
    tiff, _pages = docs.fax_tiff([(text_pdf(), PDF)], quality="fine")
    assert pixels(tiff) == pixels(docs._ghostscript_fax(text_pdf(), quality="fine")[0])  # type: ignore[index]
    read = " ".join(page_text(tiff, page=2, languages=languages).split())
    assert SENTENCE in read
    assert "Sheet 1" in read and "1234.56" in read


def test_a_failing_ghostscript_falls_back_to_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    content = text_pdf()
    pdfium_only(monkeypatch)
    expected = docs.fax_tiff([(content, PDF)], quality="fine")
    monkeypatch.setattr(docs, "GHOSTSCRIPT", "false")  # runs, exits 1, writes nothing
    assert docs._ghostscript_fax(content, quality="fine") is None
    assert docs.fax_tiff([(content, PDF)], quality="fine") == expected


def test_a_pdf_with_pages_of_two_sizes_is_left_to_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(text_pdf(2))) as pdf:
        pdf.pages[1].MediaBox = pikepdf.Array([0, 0, 612, 792])
        pdf.save(out)
    assert docs._ghostscript_fax(out.getvalue(), quality="fine") is None
    assert [f[0] for f in frames(docs.fax_tiff([(out.getvalue(), PDF)], quality="fine")[0])] == [
        (1728, 2292),
        (1728, 2149),
    ]


def test_ghostscript_pages_and_images_join_in_one_tiff() -> None:
    tiff, pages = docs.fax_tiff([(text_pdf(2), PDF), (png_bytes(), PNG), (text_pdf(1), PDF)], quality="normal")
    seen = frames(tiff)
    assert pages == len(seen) == 4
    assert all(size[0] == docs.FAX_WIDTH and dpi == (204, 98) and black > 0.0005 for size, dpi, _c, black in seen)
    assert [size[1] for size, *_ in seen] == [1146, 1146, seen[2][0][1], 1146]
