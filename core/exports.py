"""Every CSV and XLSX the portal hands out: streamed, and safe to open in a spreadsheet (and the ZIP archives
that bundle such CSVs with stored files: ``ArchiveWriter``).

One writer for all exports so each gets the same guarantees:

- **Formulas never run.** Text from providers, uploads and operators can start
  like a formula (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``). In CSV such a
  cell gets a leading ``'``; in XLSX every text is a string cell, never a
  formula, and one that starts like a formula also carries Excel's
  "quote prefix" so editing it keeps it text. A plain number written as text
  (``+905321234567``) runs nothing and is left as it is.
- **XLSX stays readable**: characters XML 1.0 forbids (controls, lone
  surrogates) are dropped; one of them once made a whole calls export unopenable.
- **Dates are dates**: XLSX cells hold real date-times in the team's zone with a
  date format of the reader's language; CSV writes ISO 8601 with the UTC offset.
- **Nothing is built in memory**: rows are read as they are written. The XLSX
  is a minimal SpreadsheetML package written through ``zipfile`` into a buffer
  drained every few hundred rows, so 100,000 rows use the memory of a few and
  the first bytes leave at once (no gateway timeout).
- **Large exports are files, not responses**: ``export_write`` writes the same bytes into a file a
  background job keeps in storage (a list's export beyond ``EXPORT_BACKGROUND_ROWS``, see
  ``core/export_kinds.py`` and ``exportjobs/services.py``), so no proxy or worker timeout can cut one short.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from types import TracebackType
from typing import IO, Any, overload
from xml.sax.saxutils import escape

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.base import ContextMixin, TemplateResponseMixin

FORMATS = ("csv", "xlsx")
EXPORT_PARAM = "export"  # ?export=csv or ?export=xlsx, on every page that exports
# With the names bookmarked before every export read one parameter: the SMS pages' ``_export`` and the calls
# export's ``format``. A page drops them all from the filters it passes on.
EXPORT_PARAMS = (EXPORT_PARAM, "_export", "format")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number written as text (a phone number, a signed amount) cannot call anything. ASCII digits only, so the
# calls export's SQL (PLAIN_NUMBER_SQL, telephony/export_copy.py) applies the very same rule.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 ]*([.,][0-9]+)?")
PLAIN_NUMBER_SQL = r"^[+-]?[0-9][0-9 ]*([.,][0-9]+)?$"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_FLUSH_EVERY = 200  # rows between two chunks of a streamed XLSX


@overload
def requested_format(params: Mapping[str, str], *, default: str) -> str: ...
@overload
def requested_format(params: Mapping[str, str], *, default: None = None) -> str | None: ...
def requested_format(params: Mapping[str, str], *, default: str | None = None) -> str | None:
    """The format a request asks for (``?export=xlsx``); ``default`` when it names none it knows."""
    for name in EXPORT_PARAMS:
        if params.get(name) in FORMATS:
            return params[name]
    return default


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def csv_text(text: str) -> str:
    """A text cell for CSV: a leading ``'`` keeps a spreadsheet from running it."""
    return "'" + text if looks_like_formula(text) else text


def xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def json_text(value: Any) -> str:
    """Structured details (an audit event's data) as JSON, not Python's repr."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _local(value: datetime, zone: tzinfo) -> datetime:
    return timezone.localtime(value, zone) if timezone.is_aware(value) else value


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _plain(value: Any) -> Any:
    """What every format shares: booleans in words, lazy texts forced, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, Promise):
        return str(value)
    return value


# --- CSV -------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any, zone: tzinfo) -> Any:
    kind = type(value)
    if kind is str:  # most cells: no type tests before the escaping
        return csv_text(value)
    if kind is int:
        return value
    value = _plain(value)
    if isinstance(value, datetime):
        return _local(value, zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    return csv_text(str(value))


def csv_stream(headers: Sequence[Any], rows: Iterable[Sequence[Any]], zone: tzinfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8 (Turkish letters)
    yield writer.writerow([_csv_cell(h, zone) for h in headers])
    for row in rows:
        yield writer.writerow([_csv_cell(v, zone) for v in row])


def csv_line(cells: Sequence[str]) -> str:
    """One row of cells already written as ``csv_stream`` writes them (the calls export's COPY path writes a few
    rows again after changing a cell: the same quoting and line end as the rest of the file)."""
    return str(csv.writer(_Echo()).writerow(cells))


# --- XLSX ------------------------------------------------------------------------------------


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


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# Cell styles: 0 plain, 1 date-time, 2 date, 3 text kept as text ("quote prefix"), 4 bold header.
_STYLE_DATETIME, _STYLE_DATE, _STYLE_QUOTED, _STYLE_HEADER = 1, 2, 3, 4
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="{datetime}"/>'
    '<numFmt numFmtId="165" formatCode="{date}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# The reader's usual way of writing a date; the value itself is a real date either way.
_DATE_FORMATS = {"tr": ("dd.mm.yyyy hh:mm:ss", "dd.mm.yyyy")}
_DEFAULT_DATE_FORMATS = ("yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd")


def _serial(value: datetime | date) -> float:
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400
    return float((value - _EXCEL_EPOCH.date()).days)


def _xlsx_cell(value: Any, zone: tzinfo, style: int = 0) -> str:
    value = _plain(value)
    styled = f' s="{style}"' if style else ""
    if isinstance(value, datetime):
        return f'<c s="{_STYLE_DATETIME}"><v>{_serial(_local(value, zone))!r}</v></c>'
    if isinstance(value, date):
        return f'<c s="{_STYLE_DATE}"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, int | Decimal) or (isinstance(value, float) and value == value and abs(value) != float("inf")):
        return f"<c{styled}><v>{value}</v></c>"
    text = xml_text(str(value))
    if not text:
        return "<c/>"
    if looks_like_formula(text) and not style:
        styled = f' s="{_STYLE_QUOTED}"'
    return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def sheet_title(name: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return _SHEET_NAME_ILLEGAL.sub(" ", xml_text(name)).strip()[:31] or "Sheet1"


def xlsx_stream(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], zone: tzinfo, *, sheet_name: str = "Sheet1"
) -> Iterator[bytes]:
    datetime_format, date_format = _DATE_FORMATS.get(translation.get_language() or "", _DEFAULT_DATE_FORMATS)
    sink = _Drain()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet_title(sheet_name), {'"': "&quot;"})))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES.format(datetime=datetime_format, date=date_format))
        yield sink.take()
        with package.open("xl/worksheets/sheet1.xml", mode="w", force_zip64=True) as sheet:
            sheet.write(f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            header = "".join(_xlsx_cell(h, zone, _STYLE_HEADER) for h in headers)
            sheet.write(f"<row>{header}</row>".encode())
            for count, row in enumerate(rows, start=1):
                cells = "".join(_xlsx_cell(value, zone) for value in row)
                sheet.write(f"<row>{cells}</row>".encode())
                if count % _FLUSH_EVERY == 0:
                    yield sink.take()
            sheet.write(b"</sheetData></worksheet>")
    yield sink.take()


# --- the response ----------------------------------------------------------------------------


def export_response(
    *,
    file_format: str,
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    zone: tzinfo | None = None,
    sheet_name: str = "",
) -> StreamingHttpResponse:
    """A streamed download of ``rows`` as ``filename.<file_format>``; times shown in ``zone``.

    ``rows`` should read the database lazily (``.iterator()``): it is consumed
    while the response is sent.
    """
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    zone = zone or timezone.get_current_timezone()
    if file_format == "xlsx":
        body: Iterator[Any] = xlsx_stream(headers, rows, zone, sheet_name=sheet_name or filename)
    else:
        body = csv_stream(headers, rows, zone)
    response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{file_format}")
    return response


class ExportingPage(TemplateResponseMixin, ContextMixin, View):
    """A page whose GET answers either its template or, when asked (``?export=…``), a download.

    Not a ``TemplateView``, whose ``get`` answers a template response only: the subclass writes its ``get``.
    """


# --- ZIP archives --------------------------------------------------------------------------


class ArchiveWriter:
    """A ZIP of CSV files (the same formula-safe cells as every CSV export) and stored files, written into
    ``out`` (a temporary file, so a large archive never sits in memory)."""

    def __init__(self, out: IO[bytes], zone: tzinfo) -> None:
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self._zone = zone

    def add_csv(self, name: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
        self._zip.writestr(name, "".join(csv_stream(headers, rows, self._zone)).encode("utf-8"))

    def add_file(self, name: str, source: IO[bytes]) -> None:
        with self._zip.open(name, "w") as target:
            while chunk := source.read(1 << 20):
                target.write(chunk)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


# --- a stored file (the background export) ---------------------------------------------------------


def counted(rows: Iterable[Sequence[Any]], progress: Callable[[int], object], every: int) -> Iterator[Sequence[Any]]:
    """``rows`` as they are, calling ``progress(rows so far)`` every ``every`` rows and once at the end."""
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % every == 0:
            progress(count)
    progress(count)


def export_write(
    target: IO[bytes],
    *,
    file_format: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    zone: tzinfo,
    sheet_name: str = "Sheet1",
) -> None:
    """Writes into ``target`` the same bytes ``export_response`` would send, for a file kept in storage."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    if file_format == "xlsx":
        for chunk in xlsx_stream(headers, rows, zone, sheet_name=sheet_name):
            target.write(chunk)
        return
    for text in csv_stream(headers, rows, zone):
        target.write(text.encode())
