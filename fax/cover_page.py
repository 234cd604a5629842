"""A fax cover page drawn as one page of the fax pipeline: FAX_WIDTH pixels wide at FAX_HDPI, A4 long.

Drawn apart from the document renderer (``documents.py``) so either can change: the page is a greyscale
PNG with square pixels at 204 dpi, which ``fax_tiff`` thresholds to the quality's lines like any image
and ``as_pdf`` wraps at its true size. Text uses DejaVu Sans (Debian's ``fonts-dejavu-core``), which has
every Turkish letter (ğ, ı, İ, ş…); labels are read in the cover's language, the date in the team's zone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from PIL import Image, ImageDraw, ImageFont, TiffImagePlugin

from core import phones
from providers.files import PDF, PNG

from .documents import FAX_HDPI, FAX_WIDTH, VDPI, DocumentError, as_pdf, fax_page

PAGE_LINES = round(297 / 25.4 * FAX_HDPI)  # A4's length at the fax line's resolution (square pixels)
MARGIN = 130
LOGO_BOX = (640, 260)  # the largest a logo is drawn, in pixels (about 8 × 3 cm)

# The fields a template may show, in the order they are drawn: key -> label.
FIELDS: dict[str, Promise] = {
    "to": pgettext_lazy("fax cover", "To"),
    "from": pgettext_lazy("fax cover", "From"),
    "our_number": pgettext_lazy("fax cover", "Our fax number"),
    "date": pgettext_lazy("fax cover", "Date"),
    "pages": pgettext_lazy("fax cover", "Pages"),
    "subject": pgettext_lazy("fax cover", "Subject"),
    "note": pgettext_lazy("fax cover", "Note"),
}


@dataclass(frozen=True)
class CoverFields:
    """What one cover page says. Numbers are international digits or E.164; ``when`` is aware (UTC is fine)."""

    to_name: str = ""
    to_number: str = ""
    from_name: str = ""
    our_number: str = ""
    subject: str = ""
    note: str = ""
    when: datetime | None = None
    pages: int | None = None  # the whole fax, this cover included
    language: str = "tr"


@dataclass(frozen=True)
class CoverLayout:
    """How a team's template lays a cover out (``CoverTemplate.layout()``); the default shows every field."""

    shown: tuple[str, ...] = tuple(FIELDS)
    header: str = ""
    footer: str = ""
    logo: bytes | None = None  # a PNG the template stored after checking it


def font_dir() -> Path:
    return Path(getattr(settings, "FAX_COVER_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(font_dir() / name), size)
    except OSError:
        raise DocumentError("cover_font") from None


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of ``text`` no wider than ``width`` pixels: broken at spaces, a longer word broken anywhere."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.getlength(word) > width:
                cut = max(1, next(i for i in range(len(word), 0, -1) if font.getlength(word[:i]) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _number(value: str) -> str:
    return phones.display_digits(value) if value else ""


def _values(fields: CoverFields, zone: tzinfo) -> dict[str, str]:
    to = ", ".join(v for v in (fields.to_name, _number(fields.to_number)) if v)
    when = ""
    if fields.when is not None:
        when = formats.date_format(timezone.localtime(fields.when, zone), "SHORT_DATETIME_FORMAT")
    pages = ""
    if fields.pages:
        pages = ngettext("%(n)d, this page included", "%(n)d, this page included", fields.pages) % {"n": fields.pages}
    return {
        "to": to,
        "from": fields.from_name,
        "our_number": _number(fields.our_number),
        "date": when,
        "pages": pages,
        "subject": fields.subject,
        "note": fields.note,
    }


def cover_image(layout: CoverLayout, fields: CoverFields, *, zone: tzinfo) -> Image.Image:
    """The cover as a greyscale page, FAX_WIDTH × PAGE_LINES, square pixels at FAX_HDPI."""
    with translation.override(fields.language or settings.LANGUAGE_CODE):
        return _draw(layout, fields, zone)


def _draw(layout: CoverLayout, fields: CoverFields, zone: tzinfo) -> Image.Image:
    page = Image.new("L", (FAX_WIDTH, PAGE_LINES), 255)
    draw = ImageDraw.Draw(page)
    width = FAX_WIDTH - 2 * MARGIN
    small, text, label, title = _font(34), _font(44), _font(44, bold=True), _font(120, bold=True)
    y = MARGIN
    if layout.logo:
        with Image.open(io.BytesIO(layout.logo)) as logo:
            picture = logo.convert("L")
            picture.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
            page.paste(picture, (MARGIN, y))
            y += picture.height + 30
    for line in _wrap(layout.header, small, width) if layout.header else []:
        draw.text((MARGIN, y), line, font=small, fill=0)
        y += 46
    y += 20
    draw.text((MARGIN, y), _("FAX"), font=title, fill=0)
    y += 160
    draw.rectangle((MARGIN, y, FAX_WIDTH - MARGIN, y + 6), fill=0)
    y += 50
    values = _values(fields, zone)
    label_width = max(int(label.getlength(str(FIELDS[k]) + ":")) for k in FIELDS if k != "note") + 40
    footer_top = PAGE_LINES - MARGIN - (len(_wrap(layout.footer, small, width)) * 46 if layout.footer else 0)
    for key in (k for k in FIELDS if k in layout.shown and k != "note"):
        lines = _wrap(values[key], text, width - label_width) if values[key] else [""]
        draw.text((MARGIN, y), f"{FIELDS[key]}:", font=label, fill=0)
        for line in lines:
            draw.text((MARGIN + label_width, y), line, font=text, fill=0)
            y += 62
        y += 14
    if "note" in layout.shown and values["note"]:
        y += 20
        draw.rectangle((MARGIN, y, FAX_WIDTH - MARGIN, y + 3), fill=0)
        y += 40
        draw.text((MARGIN, y), f"{FIELDS['note']}:", font=label, fill=0)
        y += 70
        lines = _wrap(values["note"], text, width)
        room = max(0, (footer_top - 40 - y) // 58)
        if len(lines) > room:  # a note longer than the page: cut, and say so
            lines = [*lines[: max(room - 1, 0)], _("(The note continues beyond this page and was cut.)")]
        for line in lines:
            draw.text((MARGIN, y), line, font=text, fill=0)
            y += 58
    if layout.footer:
        y = footer_top
        for line in _wrap(layout.footer, small, width):
            draw.text((MARGIN, y), line, font=small, fill=0)
            y += 46
    return page


def cover_png(layout: CoverLayout, fields: CoverFields, *, zone: tzinfo) -> bytes:
    """The cover as a PNG page (FAX_HDPI square): a document the fax pipeline renders like any image."""
    out = io.BytesIO()
    cover_image(layout, fields, zone=zone).save(out, format="PNG", dpi=(FAX_HDPI, FAX_HDPI), optimize=True)
    return out.getvalue()


def tiff_with_cover(cover: bytes, body: bytes, *, quality: str) -> bytes:
    """Our fax TIFF with the cover as its first page; the body's G4 pages are copied as they are, not redrawn."""
    out = io.BytesIO()
    dpi = (FAX_HDPI, VDPI[quality])
    with TiffImagePlugin.AppendingTiffWriter(out, new=True) as writer:
        with Image.open(io.BytesIO(cover)) as page:
            fax_page(page.convert("L"), quality=quality).save(writer, format="TIFF", compression="group4", dpi=dpi)
        writer.newFrame()
        with Image.open(io.BytesIO(body)) as image:
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frame = image.copy()
                frame.save(writer, format="TIFF", compression="group4", dpi=image.info.get("dpi", dpi))
                writer.newFrame()
    return out.getvalue()


def pdf_with_cover(cover: bytes, body: bytes) -> bytes:
    """Our PDF with the cover (wrapped losslessly at its true size) as its first page."""
    content, _pages = as_pdf([(cover, PNG), (body, PDF)])
    return content
