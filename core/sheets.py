"""Reading the sheets people upload: CSV (UTF-8 with or without BOM, UTF-16, Windows-1254) and XLSX.

Shared by the apps' imports (SMS recipients and contacts, fax contacts): each reads the rows as cells and
decides what its columns mean. Bounded before anything large is read: the file's size, its row count,
a workbook's unpacked size.

Every problem is a ``FileError`` with a code and parameters (a background import
stores them and shows them later in the reader's language), naming the row
where there is one: a broken quote or a 60 MB line (``csv.Error``), an
undecodable byte, a NUL byte (PostgreSQL refuses it), too many rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Bytes that Windows-1254 leaves undefined: a file holding them is not Turkish Windows text.
_CP1254_UNDEFINED = frozenset(b"\x81\x8d\x8e\x8f\x90\x9d\x9e")

MESSAGES: dict[str, Promise] = {
    "binary": _("The file is neither text (CSV) nor an Excel workbook (XLSX)."),
    "encoding": _("Row %(row)s: the file's encoding is unknown there: save it as UTF-8 or Windows-1254 (Turkish) CSV."),
    "nul": _("Row %(row)s holds a NUL character (byte 0), which a text file never does: save the sheet again as CSV."),
    "empty": _("The file is empty."),
    "not_csv_or_xlsx": _("Only CSV and XLSX files are read; save the sheet as one of them."),
    "bad_xlsx": _("The file looks like a workbook but cannot be read as XLSX."),
    "too_big": _("The file is larger than %(limit)s MB: split it into smaller files."),
    "too_big_unpacked": _(
        "The workbook unpacks to more than %(limit)s MB: save the sheet as CSV, or split it into smaller files."
    ),
    "too_many_rows": _("The file has more than %(limit)s rows: split it into smaller files."),
    "field_too_long": _("Row %(row)s: a cell is longer than %(limit)s characters; the file was read up to there."),
    "bad_csv": _("Row %(row)s: the CSV cannot be read there (%(reason)s); the file was read up to there."),
    "expired": _(
        "The import stopped before the end (no worker finished it within a day). Import the file again: "
        "contacts already imported are updated, not duplicated."
    ),
}


class FileError(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return describe_file_error(self.code, self.params)


def describe_file_error(code: str, params: dict[str, Any]) -> str:
    return str(MESSAGES.get(code, MESSAGES["binary"])) % params


@dataclass
class Sheet:
    first: list[str]  # the first row's cells: a header, or data when a file has none
    rows: Iterator[tuple[int, list[str]]]  # the rows after it: (row number as the user sees it, cells)
    row_estimate: int | None = None  # rows after the first, when known before reading them


# An XLSX is a zip: a 300 KB workbook can unpack to gigabytes in openpyxl. Real sheets unpack 5-10 times.
XLSX_UNPACK_RATIO = 5


def upload_limit_mb() -> str:
    return f"{settings.UPLOAD_MAX_BYTES / 1024 / 1024:g}"


def _check_unpacked_size(data: bytes) -> None:
    """Refuses a workbook whose members unpack past the limit, before openpyxl reads any (the zip's
    declared sizes bound what it will unpack: a member longer than declared fails its CRC check)."""
    limit = settings.UPLOAD_MAX_BYTES * XLSX_UNPACK_RATIO
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileError("bad_xlsx") from None
    if unpacked > limit:
        raise FileError("too_big_unpacked", limit=f"{limit / 1024 / 1024:g}")


def max_rows() -> int:
    return int(settings.UPLOAD_MAX_ROWS)


def _row_of(data: bytes | str, index: int) -> int:
    if isinstance(data, bytes):
        return data.count(b"\n", 0, index) + 1
    return data.count("\n", 0, index) + 1


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileError("encoding", row=_row_of(data, exc.start)) from None
    elif b"\x00" in data[:4096]:
        raise FileError("binary")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            undefined = [data.find(bytes([b])) for b in _CP1254_UNDEFINED if bytes([b]) in data]
            if undefined:
                raise FileError("encoding", row=_row_of(data, min(undefined))) from None
            text = data.decode("cp1254")
    nul = text.find("\x00")
    if nul >= 0:
        raise FileError("nul", row=_row_of(text, nul))
    return text


def read_sheet(name: str, data: bytes) -> Sheet:
    if not data.strip():
        raise FileError("empty")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data)
    if name.lower().endswith((".xls", ".xlsx", ".ods")):
        raise FileError("not_csv_or_xlsx")
    return _csv(decode(data))


def _csv(text: str) -> Sheet:
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines - 1 > max_rows():
        raise FileError("too_many_rows", limit=max_rows())
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)

    def read() -> Iterator[list[str]]:
        while True:
            try:
                yield next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row = max(reader.line_num, 1)  # lines read so far, the failing one included
                if "field larger than field limit" in str(exc):
                    raise FileError("field_too_long", row=row, limit=csv.field_size_limit()) from None
                raise FileError("bad_csv", row=row, reason=str(exc)) from None

    rows = read()
    try:
        first = next(rows)
    except StopIteration:
        raise FileError("empty") from None
    return Sheet(first, enumerate(rows, start=2), lines - 1)


def _xlsx(data: bytes) -> Sheet:
    import openpyxl  # only for uploads: keeps start-up light

    _check_unpacked_size(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        declared = sheet.max_row  # from the sheet's own dimension; checked again while reading
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        raise FileError("bad_xlsx") from None
    if declared and declared - 1 > max_rows():
        raise FileError("too_many_rows", limit=max_rows())
    values = sheet.iter_rows(values_only=True)
    try:
        first = [_cell(v) for v in next(values)]
    except StopIteration:
        raise FileError("empty") from None
    rows = ((number, [_cell(v) for v in row]) for number, row in enumerate(values, start=2))
    return Sheet(first, rows, declared - 1 if declared else None)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps numbers as floats: 905321234567.0
    return str(value).strip()


def bounded(rows: Iterator[tuple[int, list[str]]], first_row: int) -> Iterator[tuple[int, list[str]]]:
    """Stops a file that has more rows than it said (or than its size suggested)."""
    limit = max_rows() + first_row
    for number, cells in rows:
        if number >= limit:
            raise FileError("too_many_rows", limit=max_rows())
        if any("\x00" in c for c in cells):
            raise FileError("nul", row=number)
        yield number, cells
