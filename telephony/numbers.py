"""Numbers in call records, built on ``core.phones``: providers write them in many forms (``0532…``, ``90532…``,
``+90 532…``, ``0090…``) and PBX extensions or trunks are no phone numbers at all."""

from __future__ import annotations

from core import phones

EXTENSION_MAX_DIGITS = 6  # a PBX extension or queue, not a phone number


def normalize_number(value: str, *, region: str = phones.DEFAULT_REGION) -> str:
    """``0532 123 45 67``, ``905321234567`` and ``+90 532 123 4567`` all become ``+905321234567``.

    Short numbers (PBX extensions such as ``100``, queues) and what could not exist stay as they are.
    """
    text = (value or "").strip()
    digits = phones.digits_only(text)
    if len(digits) <= EXTENSION_MAX_DIGITS:
        return text
    candidate = text if text.startswith("+") else ("+" + digits[2:] if digits.startswith("00") else digits)
    if not candidate.startswith("+") and not digits.startswith("0"):
        candidate = "+" + digits  # 90532... : already international, without the plus
    return phones.possible_e164(candidate, region=region) or text


def normalize_prefix(value: str) -> str:
    """The stored form a typed prefix starts with: ``0532`` -> ``+90532``, ``0090`` -> ``+90``."""
    text = value.strip()
    digits = phones.digits_only(text)
    home = str(phones.COUNTRY_CODE)
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) > 1:
        return "+" + home + digits[1:]
    if digits.startswith(home) and len(digits) > len(home) + 1:
        return "+" + digits
    return digits


def display_number(value: str) -> str:
    """National format for numbers of the home region (as people here dial them), international for the others;
    extensions unchanged."""
    return phones.display(value, national=True)
