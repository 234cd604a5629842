"""Reading recipient and contact files (``core.sheets`` reads CSV and XLSX): which columns mean what.

The phone column is the one named like a phone (``phone``, ``telefon``, ``gsm``…),
else the first; every other column becomes a placeholder named after its header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from core.sheets import MESSAGES, FileError, bounded, decode, describe_file_error, max_rows, read_sheet, upload_limit_mb

__all__ = [
    "MESSAGES",
    "FileError",
    "Table",
    "decode",
    "describe_file_error",
    "max_rows",
    "read_table",
    "upload_limit_mb",
]

PHONE_HEADERS = ("phone", "number", "numara", "telefon", "tel", "gsm", "cep", "mobile", "msisdn", "telefon numarası")
NAME_HEADERS = ("name", "ad", "isim", "ad soyad", "adı soyadı", "full name")


@dataclass
class Table:
    headers: list[str]  # lower-cased
    phone_column: int
    name_column: int | None
    rows: Iterator[tuple[int, list[str]]]  # (row number as the user sees it, cells)
    phone_by_header: bool = True  # False: no column is named like a phone, the first one is taken
    row_estimate: int | None = None  # rows after the header, when known before reading them


def read_table(name: str, data: bytes) -> Table:
    sheet = read_sheet(name, data)
    return _table(sheet.first, sheet.rows, estimate=sheet.row_estimate)


def _table(first: list[str], rows: Iterator[tuple[int, list[str]]], *, estimate: int | None) -> Table:
    if any("\x00" in h for h in first):
        raise FileError("nul", row=1)
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

        return Table(
            headers=headers,
            phone_column=0,
            name_column=None,
            rows=bounded(with_first(), 1),
            row_estimate=None if estimate is None else estimate + 1,
            phone_by_header=False,
        )
    return Table(headers=headers, phone_column=phone, name_column=name, rows=bounded(rows, 2), row_estimate=estimate)
