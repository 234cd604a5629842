"""Phone numbers, one way for every app: read with a region, stored as E.164, shown grouped.

- **Typed by a person** (an SMS recipient, a contact, a fax number): ``parse`` reads
  ``0532 123 45 67``, ``+90 532…`` and ``0090 532…`` in the team's region (Turkey) and
  returns ``+905321234567``; a text that is no valid number raises ``PhoneNumberError``
  with a translated message and a ``code`` for texts stored as keys.
- **Written by a provider** (call records, live calls): ``possible_e164`` is lenient, it
  only asks that the number could exist; the app decides what to keep when it is not.
- **Shown**: ``display`` groups an E.164 number (``+90 532 123 45 67``, or ``0532 123 45 67``
  with ``national=True`` for a number of the home region); ``display_digits`` does the same
  for numbers stored as international digits without ``+`` (fax numbers). Anything else
  (an extension, "anonymous") is shown as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _

DEFAULT_REGION = "TR"
COUNTRY_CODE = phonenumbers.country_code_for_region(DEFAULT_REGION)  # 90
_NON_DIGITS = re.compile(r"\D")


class PhoneNumberError(ValueError):
    """``code`` says what is wrong (``empty``, ``not_a_number``, ``invalid``) for texts stored as keys."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def single_region_calling_codes() -> dict[int, str]:
    """Each country calling code that names exactly one region (ISO 3166 code), so the code alone settles it."""
    return {code: regions[0] for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items() if len(regions) == 1}


def digits_only(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def _international(text: str) -> str:
    """``0090 532…`` is how Turkey dials abroad: the same as ``+90 532…``."""
    return "+" + text[2:] if text.startswith("00") else text


def _parsed(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _e164(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def parse(raw: str, *, region: str = DEFAULT_REGION, bare_international: bool = False) -> str:
    """The E.164 form of a valid number typed in ``region``; ``PhoneNumberError`` otherwise.

    With ``bare_international``, a number that is not valid in ``region`` is tried again as an
    international number written without ``+`` (``4930123456``), as providers write fax numbers.
    """
    text = str(raw).strip()
    if not text:
        raise PhoneNumberError(_("empty"), code="empty")
    candidates = [_international(text)]
    if bare_international and not candidates[0].startswith("+"):
        candidates.append("+" + digits_only(text))
    readable = False
    for candidate in candidates:
        parsed = _parsed(candidate, region)
        if parsed is None:
            continue
        readable = True
        if phonenumbers.is_valid_number(parsed):
            return _e164(parsed)
    if not readable:
        raise PhoneNumberError(_("“%(value)s” is not a phone number") % {"value": raw}, code="not_a_number")
    raise PhoneNumberError(_("“%(value)s” is not a valid phone number") % {"value": raw})


def parse_international_digits(raw: str) -> str:
    """A fax number as it is stored: international digits without ``+`` (``0212 963 01 99`` → ``902129630199``);
    a number written internationally without ``+`` is read as such. ``PhoneNumberError`` when not valid."""
    return parse(raw, bare_international=True).lstrip("+")


def possible_e164(text: str, *, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a number that could exist (right length for its country), else None."""
    parsed = _parsed(text, region)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    return _e164(parsed)


def region_of(e164: str) -> str:
    """The region (``TR``, ``DE``) an E.164 number belongs to; "" when it names none."""
    parsed = _parsed(e164, None) if e164.startswith("+") else None
    found = phonenumbers.region_code_for_number(parsed) if parsed is not None else ""
    return found if found and found != "ZZ" else ""


def parsed_e164(e164: str) -> phonenumbers.PhoneNumber | None:
    """An E.164 number read for phonenumbers' carrier and geocoder data; None when it does not read."""
    return _parsed(e164, None) if e164.startswith("+") else None


@lru_cache(maxsize=16384)  # lists show the same numbers again and again; parsing is most of a list cell's cost
def _shown(e164: str, *, national: bool) -> str | None:
    parsed = parsed_e164(e164)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    home = national and phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def display(value: str, *, national: bool = False) -> str:
    """``+905321234567`` → ``+90 532 123 45 67`` (``0532 123 45 67`` with ``national`` for a number of the
    home region); what is not a possible E.164 number (an extension, a name) comes back as it was."""
    return (_shown(value, national=national) or value) if value else ""


def display_digits(digits: str) -> str:
    """International digits as fax numbers are stored: ``902125550123`` → ``+90 212 555 01 23``; what does
    not read as a number comes back as it was."""
    return (_shown("+" + digits.lstrip("+"), national=False) or digits) if digits else ""


def stored_digit_forms(e164: str) -> frozenset[str]:
    """The digits every way a stored text may write this number reduces to: ``+905321234567`` is also
    ``905321234567``, ``00905321234567`` and, for a number of the home region, ``05321234567`` and
    ``5321234567`` (providers, imports and people write all of these; fax numbers are stored without ``+``)."""
    digits = digits_only(e164)
    forms = {digits, "00" + digits}
    parsed = parsed_e164(e164)
    if parsed is not None and phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION:
        national = phonenumbers.national_significant_number(parsed)
        forms |= {national, "0" + national}
    return frozenset(forms)


def masked(e164: str) -> str:
    """``+905321234567`` → ``+90 532 *** ** 67``: enough to tell two numbers apart in a log, not to call one."""
    shown = display(e164)
    total = len(digits_only(shown))
    parsed = parsed_e164(e164)
    keep_start = (len(str(parsed.country_code)) if parsed is not None else 0) + 3  # the country and area codes
    seen = 0
    out = []
    for char in shown:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= keep_start or seen > total - 2 else "*")
        else:
            out.append(char)
    return "".join(out)
