"""Reading recipient and contact files: CSV (UTF-8 with or without BOM, UTF-16, Windows-1254) and XLSX.

The phone column is the one named like a phone (``phone``, ``telefon``, ``gsm``…),
else the first; every other column becomes a placeholder named after its header.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

PHONE_HEADERS = ("phone", "number", "numara", "telefon", "tel", "gsm", "cep", "mobile", "msisdn", "telefon numarası")
NAME_HEADERS = ("name", "ad", "isim", "ad soyad", "adı soyadı", "full name")
# Bytes that Windows-1254 leaves undefined: a file holding them is not Turkish Windows text.
_CP1254_UNDEFINED = frozenset(b"\x81\x8d\x8e\x8f\x90\x9d\x9e")


class FileError(ValueError):
    pass


@dataclass
class Table:
    headers: list[str]  # lower-cased
    phone_column: int
    name_column: int | None
    rows: Iterator[tuple[int, list[str]]]  # (row number as the user sees it, cells)
    phone_by_header: bool = True  # False: no column is named like a phone, the first one is taken


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise FileError(_("The file is neither text (CSV) nor an Excel workbook (XLSX)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _CP1254_UNDEFINED.intersection(data):
        raise FileError(_("The file's encoding is unknown: save it as UTF-8 or Windows-1254 (Turkish) CSV."))
    return data.decode("cp1254")


def read_table(name: str, data: bytes) -> Table:
    if not data.strip():
        raise FileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data)
    if name.lower().endswith((".xls", ".xlsx", ".ods")):
        raise FileError(_("Only CSV and XLSX files are read; save the sheet as one of them."))
    return _csv(decode(data))


def _csv(text: str) -> Table:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        first = next(reader)
    except StopIteration:
        raise FileError(_("The file is empty.")) from None
    return _table(first, ((number, row) for number, row in enumerate(reader, start=2)))


def _xlsx(data: bytes) -> Table:
    import openpyxl  # only for uploads: keeps start-up light

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileError(_("The file looks like a workbook but cannot be read as XLSX.")) from None
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = [_cell(v) for v in next(values)]
    except StopIteration:
        raise FileError(_("The file is empty.")) from None
    rows = ((number, [_cell(v) for v in row]) for number, row in enumerate(values, start=2))
    return _table(first, rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps numbers as floats: 905321234567.0
    return str(value).strip()


def _table(first: list[str], rows: Iterator[tuple[int, list[str]]]) -> Table:
    headers = [h.strip().lower() for h in first]
    phone = next((i for i, h in enumerate(headers) if h in PHONE_HEADERS), None)
    name = next((i for i, h in enumerate(headers) if h in NAME_HEADERS), None)
    if phone is None:
        # No header row: the first line is data and the first column holds the numbers.
        width = len(first)
        headers = [f"column{i + 1}" for i in range(width)]

        def with_first() -> Iterator[tuple[int, list[str]]]:
            yield 1, first
            yield from rows

        return Table(headers=headers, phone_column=0, name_column=None, rows=with_first(), phone_by_header=False)
    return Table(headers=headers, phone_column=phone, name_column=name, rows=rows)
