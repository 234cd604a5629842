"""Fax documents: what a file is (by content), its pages, thumbnails, the fax TIFF we transmit.

A fax page is 1728 pixels wide at 204 dpi across, and 196 (fine) or 98 (normal)
lines per inch down; bilevel, CCITT G4. We render and threshold it ourselves so
the preview is what the remote machine prints. Thresholding rather than
dithering keeps text crisp: dithering turns grey anti-aliased glyph edges into
speckle that G4 compresses badly and that fax machines print as noise.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import img2pdf
import pikepdf
import pypdfium2 as pdfium
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from telcoportal.providers.files import BMP, JPEG, OLE, PDF, PNG, TIFF, ZIP, sniff_media_type

FAX_WIDTH = 1728
FAX_HDPI = 204
VDPI = {"fine": 196, "normal": 98}
FAX_LINE_POINTS = FAX_WIDTH / 204 * 72  # the scan line's width in PDF points
THRESHOLD = 160  # 0-255 grey; lighter than this is paper
IMAGE_TYPES = {TIFF, PNG, JPEG, BMP}
OFFICE_TYPES = {OLE, ZIP}
MAX_PAGES = 200
# Bomb guard: a page image bigger than this is refused rather than decoded.
MAX_PIXELS = 60_000_000
LABELS = {PDF: "PDF", TIFF: "TIFF", PNG: "PNG", JPEG: "JPEG", BMP: "BMP", OLE: "DOC/XLS", ZIP: "DOCX/XLSX"}


class DocumentError(ValueError):
    """A file we cannot fax; the message is for the user."""


@dataclass(frozen=True)
class Inspected:
    media_type: str
    pages: int | None  # None for office files: only the provider renders them


def inspect(content: bytes, *, accepted: Sequence[str]) -> Inspected:
    """What the file is by its content, and how many pages; DocumentError when it cannot be faxed."""
    if not content:
        raise DocumentError(_("The file is empty."))
    media_type = sniff_media_type(content)
    if media_type is None or media_type not in accepted:
        names = ", ".join(sorted({LABELS.get(t, t) for t in accepted}))
        raise DocumentError(
            _("This file is not one of the types this provider accepts (%(types)s).") % {"types": names}
        )
    if media_type == PDF:
        return Inspected(PDF, _pdf_pages(content))
    if media_type in IMAGE_TYPES:
        return Inspected(media_type, _image_pages(content))
    if media_type == ZIP and b"word/" not in content[:4096] and b"xl/" not in content[:4096]:
        raise DocumentError(_("This ZIP file is not a Word or Excel document."))
    return Inspected(media_type, None)


def _pdf_pages(content: bytes) -> int:
    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError:
        # PDFium's error code can be stale from an earlier document: a second reader says why.
        _raise_pdf_problem(content)
        raise
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    if pages == 0:
        raise DocumentError(_("The PDF has no pages."))
    if pages > MAX_PAGES:
        raise DocumentError(_("The document has more than %(max)d pages.") % {"max": MAX_PAGES})
    return pages


def _raise_pdf_problem(content: bytes) -> None:
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        raise DocumentError(
            _("The PDF is protected by a password. Save it without protection and try again.")
        ) from None
    except (pikepdf.PdfError, ValueError):
        pages = None
    if pages == 0:
        raise DocumentError(_("The PDF has no pages."))
    raise DocumentError(_("The PDF is damaged and cannot be read."))


def _image_pages(content: bytes) -> int:
    try:
        with Image.open(io.BytesIO(content)) as image:
            pages = getattr(image, "n_frames", 1)
            for index in range(pages):
                image.seek(index)
                if image.width * image.height > MAX_PIXELS:
                    raise DocumentError(_("The image is too large."))
                image.load()
    except DocumentError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DocumentError(_("The image is damaged or is not really an image.")) from None
    return pages


def pages_of(content: bytes, media_type: str, *, width: int) -> Iterator[Image.Image]:
    """Every page as a greyscale image ``width`` pixels wide (square pixels)."""
    if media_type == PDF:
        pdf = pdfium.PdfDocument(content)
        try:
            for page in pdf:
                page_width, _height = page.get_size()
                # A4 or Letter at true size on the fax line (8.47 in), centred; wider pages shrink to fit.
                bitmap = page.render(scale=width / max(page_width, FAX_LINE_POINTS), grayscale=True)
                yield _centred(bitmap.to_pil().convert("L"), width)
                page.close()
        finally:
            pdf.close()
        return
    with Image.open(io.BytesIO(content)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = ImageOps.exif_transpose(image.copy()) or image.copy()
            if frame.mode in ("RGBA", "LA", "P"):
                frame = frame.convert("RGBA")
                background = Image.new("RGBA", frame.size, "white")
                frame = Image.alpha_composite(background, frame)
            frame = frame.convert("L")
            # A fax page has non-square pixels: scale each frame by its own resolution.
            xdpi, ydpi = _dpi(image)
            height = max(1, round(frame.height * (width / frame.width) * (xdpi / ydpi)))
            yield frame.resize((width, height), Image.Resampling.LANCZOS)


def _centred(image: Image.Image, width: int) -> Image.Image:
    if image.width >= width:
        return image
    line = Image.new("L", (width, image.height), 255)
    line.paste(image, ((width - image.width) // 2, 0))
    return line


def _dpi(image: Image.Image) -> tuple[float, float]:
    dpi = image.info.get("dpi")
    try:
        x, y = float(dpi[0]), float(dpi[1])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return 1.0, 1.0
    return (x, y) if x > 0 and y > 0 else (1.0, 1.0)


def fax_page(page: Image.Image, *, quality: str) -> Image.Image:
    """A greyscale page (FAX_WIDTH wide, square pixels) as a bilevel fax page at the quality's resolution."""
    height = max(1, round(page.height * VDPI[quality] / FAX_HDPI))
    page = page.resize((FAX_WIDTH, height), Image.Resampling.LANCZOS)
    return page.point(lambda grey: 255 if grey > THRESHOLD else 0).convert("1", dither=Image.Dither.NONE)


def fax_tiff(documents: Sequence[tuple[bytes, str]], *, quality: str) -> tuple[bytes, int]:
    """Every page of ``documents`` (content, media type) as one CCITT G4 fax TIFF; returns (bytes, pages)."""
    pages = [
        fax_page(page, quality=quality)
        for content, kind in documents
        for page in pages_of(content, kind, width=FAX_WIDTH)
    ]
    if not pages:
        raise DocumentError(_("There is nothing to fax."))
    out = io.BytesIO()
    pages[0].save(
        out,
        format="TIFF",
        compression="group4",
        dpi=(FAX_HDPI, VDPI[quality]),
        save_all=True,
        append_images=pages[1:],
    )
    return out.getvalue(), len(pages)


def as_pdf(documents: Sequence[tuple[bytes, str]]) -> tuple[bytes, int]:
    """Every document as one PDF: images wrapped losslessly (img2pdf), PDF pages copied as they are."""
    merged = pdfium.PdfDocument.new()
    try:
        for content, kind in documents:
            source = content if kind == PDF else img2pdf.convert(_img2pdf_ready(content))
            part = pdfium.PdfDocument(source)
            merged.import_pages(part)
            part.close()
        out = io.BytesIO()
        merged.save(out)
        return out.getvalue(), len(merged)
    finally:
        merged.close()


def _img2pdf_ready(content: bytes) -> bytes:
    # img2pdf refuses images with an alpha channel rather than guess a background: flatten those on white.
    with Image.open(io.BytesIO(content)) as image:
        if image.mode not in ("RGBA", "LA", "PA") and not (image.mode == "P" and "transparency" in image.info):
            return content
        frame = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA")).convert("RGB")
        out = io.BytesIO()
        frame.save(out, format="PNG")
        return out.getvalue()


def thumbnail(content: bytes, media_type: str, *, page: int, width: int = 300) -> bytes:
    """One page as a PNG ``width`` pixels wide (1-based ``page``)."""
    if media_type == TIFF:
        with Image.open(io.BytesIO(content)) as image:
            image.seek(page - 1)
            xdpi, ydpi = _dpi(image)
            frame = image.convert("L")
            height = max(1, round(frame.height * (width / frame.width) * (xdpi / ydpi)))
            picture = frame.resize((width, height), Image.Resampling.LANCZOS)
    else:
        for index, rendered in enumerate(pages_of(content, media_type, width=width), start=1):
            if index == page:
                picture = rendered
                break
        else:
            raise IndexError(page)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()
