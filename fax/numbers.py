"""Fax numbers as people read them: stored as international digits, shown grouped."""

from __future__ import annotations

import phonenumbers


def display_number(digits: str) -> str:
    """``902125550123`` -> ``+90 212 555 01 23``; anything unparsable comes back as it was."""
    if not digits:
        return ""
    try:
        parsed = phonenumbers.parse("+" + digits.lstrip("+"), None)
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_possible_number(parsed):
        return digits
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
