"""SMS recipients: numbers read through ``core.phones`` and written as Pasifik's SMS document wants them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core import phones
from core.phones import DEFAULT_REGION, PhoneNumberError

_SPLIT = re.compile(r"[\n,;]+")


@dataclass(frozen=True)
class Number:
    e164: str  # +905321234567

    @property
    def abroad(self) -> bool:
        return not self.e164.startswith(f"+{phones.COUNTRY_CODE}")

    @property
    def provider_form(self) -> str:
        """Turkey as ``905…``; abroad with ``+`` (and ``universal`` set), as the document requires."""
        return self.e164 if self.abroad else self.e164[1:]


def parse_number(raw: str, region: str = DEFAULT_REGION) -> Number:
    return Number(phones.parse(raw, region=region))


def msisdn_key(number: str) -> str:
    """The form Pasifik's reports use: no ``+``, no ``90`` for Turkey (905321234567 → 5321234567)."""
    digits = number.lstrip("+")
    if digits.startswith(str(phones.COUNTRY_CODE)) and len(digits) == 12:
        return digits[2:]
    return digits


@dataclass
class Row:
    """One recipient as the user gave it: where it came from and the values for its placeholders."""

    line: int
    raw: str
    values: dict[str, str] = field(default_factory=dict)
    name: str = ""


def rows_from_text(text: str) -> list[Row]:
    """Numbers typed or pasted: separated by new lines, commas or semicolons; spaces inside a number are fine,
    and several numbers on one line separated by spaces are read one by one."""
    rows: list[Row] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        for piece in _SPLIT.split(line):
            piece = piece.strip()
            if not piece:
                continue
            try:
                parse_number(piece)
                rows.append(Row(line=line_no, raw=piece))
            except PhoneNumberError:
                rows.extend(Row(line=line_no, raw=word) for word in piece.split())
    return rows
