"""Fax documents: what a file is (by content), its pages, thumbnails, the fax TIFF we transmit.

A fax page is 1728 pixels wide at 204 dpi across, and 196 (fine) or 98 (normal)
lines per inch down; bilevel, CCITT G4. We render and threshold it ourselves so
the preview is what the remote machine prints. Thresholding rather than
dithering keeps text crisp: dithering turns grey anti-aliased glyph edges into
speckle that G4 compresses badly and that fax machines print as noise.
"""

from __future__ import annotations

import contextlib
import io
import math
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import img2pdf
import pikepdf
import pypdfium2 as pdfium
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, TiffImagePlugin, UnidentifiedImageError

from accounts.stored_text import StoredText, stored
from providers.files import BMP, JPEG, OLE, PDF, PNG, TIFF, ZIP, sniff_media_type

FAX_WIDTH = 1728
FAX_HDPI = 204
VDPI = {"fine": 196, "normal": 98}
FAX_LINE_POINTS = FAX_WIDTH / 204 * 72  # the scan line's width in PDF points
THRESHOLD = 160  # 0-255 grey; lighter than this is paper
IMAGE_TYPES = {TIFF, PNG, JPEG, BMP}
OFFICE_TYPES = {OLE, ZIP}
MAX_PAGES = 200  # for images (frames) as for PDFs
# Bomb guards, all checked from the file's header before anything is decoded or rendered:
MAX_PIXELS = 60_000_000  # one source image (frame)
MAX_DPI_RATIO = 4.0  # horizontal/vertical resolution; a fax's own is about 2 (204×98), anything past 4 is a trick
MAX_PAGE_LINES = 8_000  # one page, FAX_WIDTH wide with square pixels: about 3.4 A4 lengths
MAX_TOTAL_LINES = MAX_PAGES * 2_400  # the whole document: MAX_PAGES pages of about A4 length
GHOSTSCRIPT = "gs"  # Debian's ghostscript renders PDFs to fax TIFF where present; PDFium is the fallback
GHOSTSCRIPT_SECONDS = 60  # a PDF gs cannot render in this long falls back to PDFium (whose own bounds apply)
LABELS = {PDF: "PDF", TIFF: "TIFF", PNG: "PNG", JPEG: "JPEG", BMP: "BMP", OLE: "DOC/XLS", ZIP: "DOCX/XLSX"}


# what a document can be refused for: key -> text with %(name)s parameters (the key is kept, the text read)
TEXTS: dict[str, Promise] = {
    "empty": _("The file is empty."),
    "type": _("This file is not one of the types this provider accepts (%(types)s)."),
    "zip": _("This ZIP file is not a Word or Excel document."),
    "pdf_no_pages": _("The PDF has no pages."),
    "pdf_password": _("The PDF is protected by a password. Save it without protection and try again."),
    "pdf_damaged": _("The PDF is damaged and cannot be read."),
    "image_damaged": _("The image is damaged or is not really an image."),
    "too_many_pages": _("The document has more than %(max)d pages."),
    "page_too_long": _("Page %(page)d is too long to fax: it would be more than %(max)d lines."),
    "too_long": _("The document is too long to fax: at most about %(max)d pages of A4 length."),
    "image_too_large": _("The image is too large."),
    "nothing": _("There is nothing to fax."),
    "no_pdf": _("This document cannot be turned into a PDF."),
    "too_big_for_provider": _("The document to transmit is larger than this provider accepts."),
    "not_prepared": _("The document could not be prepared for faxing."),
    "cover_font": _("The cover page cannot be drawn: its font (DejaVu Sans) is not installed on the server."),
    "cover_with_office": _(
        "A cover page cannot go with Word or Excel files, which the provider renders itself: choose no cover, "
        "or send PDF or image files."
    ),
}


class DocumentError(ValueError):
    """A file we cannot fax: ``str()`` is its message in the active language, ``text`` the same kept as a key."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params

    @property
    def text(self) -> StoredText:
        return stored(f"document.{self.key}", **self.params)

    def __str__(self) -> str:
        template = str(TEXTS[self.key])
        return template % self.params if self.params else template


@dataclass(frozen=True)
class Inspected:
    media_type: str
    pages: int | None  # None for office files: only the provider renders them


def inspect(content: bytes, *, accepted: Sequence[str]) -> Inspected:
    """What the file is by its content, and how many pages; DocumentError when it cannot be faxed."""
    if not content:
        raise DocumentError("empty")
    media_type = sniff_media_type(content)
    if media_type is None or media_type not in accepted:
        names = ", ".join(sorted({LABELS.get(t, t) for t in accepted}))
        raise DocumentError("type", types=names)
    if media_type == PDF:
        return Inspected(PDF, _pdf_pages(content))
    if media_type in IMAGE_TYPES:
        return Inspected(media_type, _image_pages(content))
    if media_type == ZIP and b"word/" not in content[:4096] and b"xl/" not in content[:4096]:
        raise DocumentError("zip")
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
        if pages == 0:
            raise DocumentError("pdf_no_pages")
        _check_page_count(pages)
        budget = LineBudget()
        for index in range(pages):
            width, height = pdf.get_page_size(index)
            budget.take(_pdf_lines(width, height, FAX_WIDTH), page=index + 1)
    finally:
        pdf.close()
    return pages


def _raise_pdf_problem(content: bytes) -> None:
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        raise DocumentError("pdf_password") from None
    except (pikepdf.PdfError, ValueError):
        pages = None
    if pages == 0:
        raise DocumentError("pdf_no_pages")
    raise DocumentError("pdf_damaged")


def _image_pages(content: bytes) -> int:
    try:
        with Image.open(io.BytesIO(content)) as image:
            pages = _frame_count(image)
            budget = LineBudget()
            for index in range(pages):
                image.seek(index)
                budget.take(_image_lines(image, FAX_WIDTH), page=index + 1)
                image.load()
    except DocumentError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise DocumentError("image_damaged") from None
    return pages


def _check_page_count(pages: int) -> None:
    if pages > MAX_PAGES:
        raise DocumentError("too_many_pages", max=MAX_PAGES)


def _frame_count(image: Image.Image) -> int:
    """The frames of an image, counted by seeking, never past MAX_PAGES + 1 (a TIFF may claim thousands)."""
    count = 0
    while True:
        try:
            image.seek(count)
        except EOFError:
            break
        count += 1
        _check_page_count(count)
    image.seek(0)
    return max(count, 1)


class LineBudget:
    """Output lines (FAX_WIDTH wide) per page and in total, refused before they are rendered."""

    def __init__(self) -> None:
        self.used = 0

    def take(self, lines: int, *, page: int) -> None:
        if lines > MAX_PAGE_LINES:
            raise DocumentError("page_too_long", page=page, max=MAX_PAGE_LINES)
        self.used += lines
        if self.used > MAX_TOTAL_LINES:
            raise DocumentError("too_long", max=MAX_PAGES)


def _image_lines(image: Image.Image, width: int) -> int:
    """The lines the current frame becomes at ``width`` pixels wide; DocumentError for a pixel bomb."""
    if image.width <= 0 or image.height <= 0 or image.width * image.height > MAX_PIXELS:
        raise DocumentError("image_too_large")
    xdpi, ydpi = _dpi(image)
    return max(1, round(image.height * (width / image.width) * (xdpi / ydpi)))


def _pdf_lines(page_width: float, page_height: float, width: int) -> int:
    if page_width <= 0 or page_height <= 0:
        raise DocumentError("pdf_damaged")
    return max(1, round(page_height * width / max(page_width, FAX_LINE_POINTS)))


def pages_of(content: bytes, media_type: str, *, width: int) -> Iterator[Image.Image]:
    """Every page as a greyscale image ``width`` pixels wide (square pixels)."""
    if media_type == PDF:
        pdf = pdfium.PdfDocument(content)
        try:
            _check_page_count(len(pdf))
            for index in range(len(pdf)):
                page = pdf[index]
                page_width, page_height = page.get_size()
                LineBudget().take(_pdf_lines(page_width, page_height, FAX_WIDTH), page=index + 1)
                # A4 or Letter at true size on the fax line (8.47 in), centred; wider pages shrink to fit.
                bitmap = page.render(scale=width / max(page_width, FAX_LINE_POINTS), grayscale=True)
                yield _centred(bitmap.to_pil().convert("L"), width)
                page.close()
        finally:
            pdf.close()
        return
    with Image.open(io.BytesIO(content)) as image:
        for index in range(_frame_count(image)):
            image.seek(index)
            # Checked at FAX_WIDTH whatever ``width``: a thumbnail of a bomb is refused like its fax.
            LineBudget().take(_image_lines(image, FAX_WIDTH), page=index + 1)
            height = _image_lines(image, width)
            frame = ImageOps.exif_transpose(image.copy()) or image.copy()
            if frame.mode in ("RGBA", "LA", "P", "PA"):
                frame = frame.convert("RGBA")
                background = Image.new("RGBA", frame.size, "white")
                frame = Image.alpha_composite(background, frame)
            frame = frame.convert("L")
            if frame.size != image.size:  # turned by its EXIF orientation: the other side runs across
                height = max(1, round(frame.height * width / frame.width))
            # A fax page has non-square pixels: each frame is scaled by its own resolution.
            yield frame.resize((width, height), Image.Resampling.LANCZOS)


def _centred(image: Image.Image, width: int) -> Image.Image:
    if image.width >= width:
        return image
    line = Image.new("L", (width, image.height), 255)
    line.paste(image, ((width - image.width) // 2, 0))
    return line


def _dpi(image: Image.Image) -> tuple[float, float]:
    """The frame's resolution, its ratio clamped to MAX_DPI_RATIO either way (a 100000×1 dpi PNG is a bomb)."""
    dpi: Any = image.info.get("dpi")  # a pair of numbers when the file is sound; anything (or None) when not
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return 1.0, 1.0
    if not (x > 0 and y > 0) or x != x or y != y:  # NaN compares unequal to itself
        return 1.0, 1.0
    ratio = min(max(x / y, 1 / MAX_DPI_RATIO), MAX_DPI_RATIO)
    return ratio, 1.0


def fax_page(page: Image.Image, *, quality: str) -> Image.Image:
    """A greyscale page (FAX_WIDTH wide, square pixels) as a bilevel fax page at the quality's resolution."""
    height = max(1, round(page.height * VDPI[quality] / FAX_HDPI))
    page = page.resize((FAX_WIDTH, height), Image.Resampling.LANCZOS)
    return page.point(lambda grey: 255 if grey > THRESHOLD else 0).convert("1", dither=Image.Dither.NONE)


def fax_tiff(documents: Sequence[tuple[bytes, str]], *, quality: str) -> tuple[bytes, int]:
    """Every page of ``documents`` (content, media type) as one CCITT G4 fax TIFF; returns (bytes, pages).

    A PDF is rendered by Ghostscript's own fax device when it can (several times faster than
    rasterising, resampling and thresholding here); images, and any PDF Ghostscript cannot
    render, page by page with PDFium and Pillow, so memory holds one page whatever the length.
    """
    rendered = [(_ghostscript_fax(content, quality=quality) if kind == PDF else None) for content, kind in documents]
    if len(documents) == 1 and rendered[0] is not None:
        return rendered[0]  # already the whole TIFF, checked page by page against the line budget
    out = io.BytesIO()
    pages = 0
    budget = LineBudget()
    with TiffImagePlugin.AppendingTiffWriter(out, new=True) as writer:
        for (content, kind), done in zip(documents, rendered, strict=True):
            for page in _fax_pages(content, kind, done, quality=quality):
                pages += 1
                _check_page_count(pages)
                budget.take(round(page.height * FAX_HDPI / VDPI[quality]), page=pages)
                page.save(writer, format="TIFF", compression="group4", dpi=(FAX_HDPI, VDPI[quality]))
                writer.newFrame()
                page.close()
    if not pages:
        raise DocumentError("nothing")
    return out.getvalue(), pages


def _fax_pages(content: bytes, kind: str, done: tuple[bytes, int] | None, *, quality: str) -> Iterator[Image.Image]:
    """The bilevel fax pages of one document: read from Ghostscript's TIFF, or rendered here."""
    if done is not None:
        with Image.open(io.BytesIO(done[0])) as image:
            for index in range(done[1]):
                image.seek(index)
                yield image.copy()
        return
    for page in pages_of(content, kind, width=FAX_WIDTH):
        yield fax_page(page, quality=quality)
        page.close()


def _ghostscript_fax(content: bytes, *, quality: str) -> tuple[bytes, int] | None:
    """A PDF as Ghostscript's G4 fax TIFF with the same pages, sizes and placement as PDFium's; None to fall back.

    Only for a PDF whose pages share one size (one fixed output page fits them all, as the
    PDFium path places them: true size on the fax line, centred, wider pages shrunk to fit).
    Run without a shell, ``-dSAFER``, the PDF on stdin, under a timeout; any failure, or a
    result whose pages differ from what was expected, falls back to PDFium.
    """
    program = shutil.which(GHOSTSCRIPT)
    if program is None:
        return None
    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError:
        return None
    try:
        sizes = {pdf.get_page_size(index) for index in range(len(pdf))}
        pages = len(pdf)
    finally:
        pdf.close()
    if len(sizes) != 1 or pages == 0:
        return None
    _check_page_count(pages)
    width, height = sizes.pop()
    _pdf_lines(width, height, FAX_WIDTH)  # refuses a page of no size
    square_lines = math.ceil(height * (FAX_WIDTH / max(width, FAX_LINE_POINTS)))  # PDFium's bitmap height
    budget = LineBudget()
    for page in range(1, pages + 1):
        budget.take(square_lines, page=page)
    lines = max(1, round(square_lines * VDPI[quality] / FAX_HDPI))
    with tempfile.TemporaryDirectory(prefix="fax-gs-") as folder:
        output = Path(folder) / "fax.tiff"  # the TIFF writer seeks: a file, not a pipe
        command = [
            program, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOINTERPOLATE",
            "-sDEVICE=tiffg4", f"-r{FAX_HDPI}x{VDPI[quality]}", f"-g{FAX_WIDTH}x{lines}",
            "-dFIXEDMEDIA", "-dPDFFitPage", f"-sOutputFile={output}", "-",
        ]  # fmt: skip
        try:
            run = subprocess.run(command, input=content, capture_output=True, timeout=GHOSTSCRIPT_SECONDS, check=False)
            tiff = output.read_bytes() if run.returncode == 0 else b""
        except (OSError, subprocess.SubprocessError):
            return None
    if b"Error" in run.stdout + run.stderr or not _is_fax_tiff(tiff, pages=pages, lines=lines):
        return None  # gs leaves out a page it cannot draw and still exits 0
    return tiff, pages


def _is_fax_tiff(content: bytes, *, pages: int, lines: int) -> bool:
    """Whether ``content`` is a bilevel TIFF of exactly ``pages`` pages of FAX_WIDTH × ``lines`` (headers only)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            for index in range(pages):
                image.seek(index)
                if image.size != (FAX_WIDTH, lines) or image.mode != "1":
                    return False
            try:
                image.seek(pages)
            except EOFError:
                return True
            return False
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return False


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


def tiff_as_pdf(content: bytes) -> bytes:
    """A fax TIFF as a PDF: each page wrapped as it is (G4 stays G4) at its own resolution, nothing re-rendered."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            for index in range(_frame_count(image)):
                image.seek(index)
                _image_lines(image, FAX_WIDTH)  # a pixel bomb is refused before img2pdf reads it
        return img2pdf.convert(content, rotation=img2pdf.Rotation.ifvalid)
    except DocumentError:
        raise
    except Exception:  # img2pdf raises its own and Pillow's errors for a TIFF it cannot wrap
        raise DocumentError("no_pdf") from None


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
            if page > MAX_PAGES:
                raise IndexError(page)
            image.seek(page - 1)
            LineBudget().take(_image_lines(image, FAX_WIDTH), page=page)
            height = _image_lines(image, width)
            picture = image.convert("L").resize((width, height), Image.Resampling.LANCZOS)
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


@contextlib.contextmanager
def memory_cap(extra_mb: int) -> Iterator[None]:
    """Caps this process's address space at its current size plus ``extra_mb`` while rendering.

    Defence in depth behind the bounds above: whatever slips past them ends in a MemoryError
    the caller turns into a message, not in a worker child taken by the kernel. Linux only;
    elsewhere, or where a lower cap is already set, it does nothing.
    """
    try:
        import resource

        with open("/proc/self/status") as status:
            used_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration, ValueError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = (used_kb + extra_mb * 1024) * 1024
    if (soft != resource.RLIM_INFINITY and soft <= wanted) or (hard != resource.RLIM_INFINITY and hard < wanted):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
