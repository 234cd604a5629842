"""Phone numbers as stored (E.164 when they parse, else as given: extensions, trunks) and as shown."""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "TR"
_NON_DIGITS = re.compile(r"\D")


def normalize_number(value: str, *, region: str = DEFAULT_REGION) -> str:
    """``0532 123 45 67``, ``905321234567`` and ``+90 532 123 4567`` all become ``+905321234567``.

    Short numbers (PBX extensions such as ``100``, queues) stay as they are.
    """
    text = (value or "").strip()
    digits = _NON_DIGITS.sub("", text)
    if len(digits) < 7:
        return text
    candidate = text if text.startswith("+") else ("+" + digits[2:] if digits.startswith("00") else digits)
    if not candidate.startswith("+") and not digits.startswith("0"):
        candidate = "+" + digits  # 90532... : already international, without the plus
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(parsed):
        return text
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_prefix(value: str) -> str:
    """The stored form a typed prefix starts with: ``0532`` -> ``+90532``, ``0090`` -> ``+90``."""
    text = value.strip()
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) > 1:
        return "+90" + digits[1:]
    if digits.startswith("90") and len(digits) > 3:
        return "+" + digits
    return digits


def digits_only(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def display_number(value: str, *, region: str = DEFAULT_REGION) -> str:
    """National format for numbers of ``region``, international for the others; extensions unchanged."""
    if not value or not value.startswith("+"):
        return value
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
