"""Streaming CSV and XLSX of the filtered calls: rows go out as they are read, never all in memory.

The XLSX writer is a minimal SpreadsheetML package (one sheet, inline strings)
written through ``zipfile`` into a buffer that is drained after every row, so
a million-row export uses as much memory as a few rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from .models import Direction, Disposition, Source


def headers() -> list[str]:
    return [
        _("Id"), _("Start"), _("Answered at"), _("End"), _("Duration (s)"), _("Billed (s)"), _("Caller"),
        _("Callee"), _("Direction"), _("Result"), _("Cost"), _("Country"), _("Description"), _("Source"),
        _("Provider id"), _("Account"), _("Recording"),
    ]  # fmt: skip


def localize_row(row: Sequence[Any], zone: tzinfo) -> list[Any]:
    """Times in the team's zone with their UTC offset (ISO 8601), labels for choices."""
    values: list[Any] = []
    for index, value in enumerate(row):
        if isinstance(value, datetime):
            value = value.astimezone(zone).isoformat(timespec="seconds")
        elif index == 8:
            value = str(Direction(value).label)
        elif index == 9:
            value = str(Disposition(value).label)
        elif index == 13:
            value = str(Source(value).label)
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        values.append("" if value is None else value)
    return values


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[Sequence[Any]], zone: tzinfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8
    yield writer.writerow(headers())
    for row in rows:
        yield writer.writerow(localize_row(row, zone))


class _Drain(io.RawIOBase):
    """A write-only sink ``zipfile`` streams into; ``take()`` hands over what has been written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._offset += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float | Decimal):
        return f"<c><v>{value}</v></c>"
    text = escape(str(value))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx_stream(rows: Iterable[Sequence[Any]], zone: tzinfo, *, sheet_name: str = "Calls") -> Iterator[bytes]:
    sink = _Drain()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet_name)))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        yield sink.take()
        with package.open("xl/worksheets/sheet1.xml", mode="w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(("<row>" + "".join(_cell(h) for h in headers()) + "</row>").encode())
            for count, row in enumerate(rows, start=1):
                cells = "".join(_cell(value) for value in localize_row(row, zone))
                sheet.write(f"<row>{cells}</row>".encode())
                if count % 200 == 0:
                    yield sink.take()
            sheet.write(b"</sheetData></worksheet>")
    yield sink.take()
