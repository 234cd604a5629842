"""Files are judged by content; the fax TIFF we make is read back and checked."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from fax import documents as docs
from providers.files import JPEG, PDF, PNG, TIFF
from tests.fax.factories import png_bytes, two_page_pdf

ACCEPTED = [PDF, TIFF, PNG, JPEG]


def test_it_counts_the_pages_of_a_pdf() -> None:
    assert docs.inspect(two_page_pdf(), accepted=ACCEPTED) == docs.Inspected(PDF, 2)


def test_it_judges_a_file_by_its_content_not_its_name() -> None:
    with pytest.raises(docs.DocumentError, match="not one of the types"):
        docs.inspect(b"MZ\x90\x00 an executable called invoice.pdf", accepted=ACCEPTED)


def test_it_rejects_an_empty_file() -> None:
    with pytest.raises(docs.DocumentError, match="empty"):
        docs.inspect(b"", accepted=ACCEPTED)


def test_it_rejects_a_corrupt_pdf() -> None:
    with pytest.raises(docs.DocumentError, match="damaged"):
        docs.inspect(b"%PDF-1.4\n garbage garbage", accepted=ACCEPTED)


def test_it_rejects_an_encrypted_pdf() -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(two_page_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(docs.DocumentError, match="password"):
        docs.inspect(out.getvalue(), accepted=ACCEPTED)


def test_it_rejects_a_pdf_without_pages() -> None:
    empty = pdfium.PdfDocument.new()
    out = io.BytesIO()
    empty.save(out)
    with pytest.raises(docs.DocumentError, match="no pages"):
        docs.inspect(out.getvalue(), accepted=ACCEPTED)


def test_it_rejects_an_image_that_is_not_an_image() -> None:
    with pytest.raises(docs.DocumentError, match="not really an image"):
        docs.inspect(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, accepted=ACCEPTED)


def test_it_refuses_office_files_where_the_provider_does_not_take_them() -> None:
    with pytest.raises(docs.DocumentError, match="PDF"):
        docs.inspect(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, accepted=ACCEPTED)


@pytest.mark.parametrize(("quality", "ydpi"), [("fine", 196), ("normal", 98)])
def test_the_fax_tiff_is_1728_wide_bilevel_g4_at_fax_resolution(quality: str, ydpi: int) -> None:
    content, pages = docs.fax_tiff([(two_page_pdf(), PDF), (png_bytes(), PNG)], quality=quality)

    assert pages == 3
    with Image.open(io.BytesIO(content)) as tiff:
        assert tiff.n_frames == 3
        for frame in range(3):
            tiff.seek(frame)
            assert tiff.width == 1728
            assert tiff.mode == "1"
            assert tiff.info["compression"] == "group4"
            assert tuple(round(v) for v in tiff.info["dpi"]) == (204, ydpi)
        tiff.seek(0)
        # An A4 page: 11.69 in at the quality's lines per inch.
        assert abs(tiff.height - round(11.69 * ydpi)) <= 3


def test_text_is_thresholded_not_dithered() -> None:
    grey = Image.new("L", (1728, 200), 200)  # light grey paper: must come out white, not speckled
    page = docs.fax_page(grey, quality="fine")
    assert page.getextrema() == (255, 255)
    dark = docs.fax_page(Image.new("L", (1728, 200), 90), quality="fine")
    assert dark.getextrema() == (0, 0)


def test_images_become_a_pdf_losslessly_for_pdf_only_providers() -> None:
    content, pages = docs.as_pdf([(png_bytes(), PNG), (two_page_pdf(), PDF)])
    assert pages == 3
    with pikepdf.open(io.BytesIO(content)) as pdf:
        [image] = list(pdf.pages[0].get_images().values())
        assert image.Filter == pikepdf.Name.FlateDecode  # PNG data kept, not recompressed as JPEG
        assert (int(image.Width), int(image.Height)) == (400, 300)


def test_it_draws_a_thumbnail_of_a_page() -> None:
    content, _pages = docs.fax_tiff([(two_page_pdf(), PDF)], quality="normal")
    png = docs.thumbnail(content, TIFF, page=2, width=200)
    with Image.open(io.BytesIO(png)) as thumb:
        assert thumb.width == 200
        assert 270 < thumb.height < 300  # square pixels again: the A4 shape
