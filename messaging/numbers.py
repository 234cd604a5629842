"""Phone numbers: parsed with phonenumbers (Turkey by default) and written as the document wants them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers
from django.utils.translation import gettext as _

DEFAULT_REGION = "TR"
TURKEY = 90
_SPLIT = re.compile(r"[\n,;]+")


@dataclass(frozen=True)
class Number:
    e164: str  # +905321234567

    @property
    def abroad(self) -> bool:
        return not self.e164.startswith(f"+{TURKEY}")

    @property
    def provider_form(self) -> str:
        """Turkey as ``905…``; abroad with ``+`` (and ``universal`` set), as the document requires."""
        return self.e164 if self.abroad else self.e164[1:]


class NumberError(ValueError):
    """``code`` says what is wrong (``empty``, ``not_a_number``, ``invalid``) for texts stored as keys."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def parse_number(raw: str, region: str = DEFAULT_REGION) -> Number:
    text = str(raw).strip()
    if not text:
        raise NumberError(_("empty"), code="empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise NumberError(_("“%(value)s” is not a phone number") % {"value": raw}, code="not_a_number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise NumberError(_("“%(value)s” is not a valid phone number") % {"value": raw})
    return Number(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def display(e164: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def msisdn_key(number: str) -> str:
    """The form Pasifik's reports use: no ``+``, no ``90`` for Turkey (905321234567 → 5321234567)."""
    digits = number.lstrip("+")
    if digits.startswith(str(TURKEY)) and len(digits) == 12:
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
            except NumberError:
                rows.extend(Row(line=line_no, raw=word) for word in piece.split())
    return rows
