"""One way to read, store and show a phone number (core.phones), used by every app."""

from __future__ import annotations

import pytest
from django.utils import translation

from core import phones
from tests.sources import ROOT, source_files


@pytest.mark.parametrize(
    "typed", ["0532 123 45 67", "+90 532 123 4567", "0090 532 123 45 67", "905321234567", " 5321234567 "]
)
def test_a_number_typed_in_turkey_is_stored_as_e164(typed: str) -> None:
    assert phones.parse(typed) == "+905321234567"


def test_a_number_of_another_region_is_read_in_that_region() -> None:
    assert phones.parse("030 1234567", region="DE") == "+49301234567"


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "empty", "empty"),
        ("abc", "not_a_number", "“abc” is not a phone number"),
        ("12", "invalid", "“12” is not a valid phone number"),
    ],
)
def test_what_is_not_a_number_says_why_with_a_code(typed: str, code: str, message: str) -> None:
    with pytest.raises(phones.PhoneNumberError) as caught:
        phones.parse(typed)
    assert (caught.value.code, str(caught.value)) == (code, message)


def test_the_reason_is_in_the_readers_language() -> None:
    with translation.override("tr"), pytest.raises(phones.PhoneNumberError) as caught:
        phones.parse("12")
    assert str(caught.value) == "“12” geçerli bir telefon numarası değil"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0212 963 01 99", "902129630199"),
        ("+90 (212) 963-01-99", "902129630199"),
        ("0090 212 963 01 99", "902129630199"),
        ("902129630199", "902129630199"),
        ("49 30 1234567", "49301234567"),  # international without "+", as providers write fax numbers
    ],
)
def test_fax_numbers_are_stored_as_international_digits(typed: str, stored: str) -> None:
    assert phones.parse_international_digits(typed) == stored


def test_only_fax_numbers_are_read_as_international_without_a_plus() -> None:
    with pytest.raises(phones.PhoneNumberError):
        phones.parse("49 30 1234567")


def test_a_provider_number_only_has_to_be_possible() -> None:
    assert phones.possible_e164("+90 212 000 00 00") == "+902120000000"
    assert phones.possible_e164("12") is None


@pytest.mark.parametrize(
    ("value", "international", "national"),
    [
        ("+905321234567", "+90 532 123 45 67", "0532 123 45 67"),
        ("+49301234567", "+49 30 1234567", "+49 30 1234567"),  # not of the home region: international
        ("100", "100", "100"),  # an extension
        ("+1", "+1", "+1"),  # not a possible number
        ("anonymous", "anonymous", "anonymous"),
        ("", "", ""),
    ],
)
def test_a_number_is_shown_grouped_and_anything_else_as_it_is(value: str, international: str, national: str) -> None:
    assert phones.display(value) == international
    assert phones.display(value, national=True) == national


@pytest.mark.parametrize(
    ("digits", "shown"),
    [("902125550123", "+90 212 555 01 23"), ("+902125550123", "+90 212 555 01 23"), ("12", "12"), ("", "")],
)
def test_a_number_stored_as_digits_is_shown_grouped(digits: str, shown: str) -> None:
    assert phones.display_digits(digits) == shown


def test_region_of_names_the_region_of_an_e164_number() -> None:
    assert (phones.region_of("+49301234567"), phones.region_of("100"), phones.region_of("+999")) == ("DE", "", "")


def test_no_module_but_the_phone_module_parses_or_formats_with_phonenumbers() -> None:
    # telephony/countries.py reads phonenumbers' carrier and geocoder data, after core.phones parsed the number.
    # telephony/region_prefixes.py derives number prefixes from phonenumbers' metadata for the export's SQL; it
    # parses and formats no number (its test compares the prefixes with phonenumbers' own answers).
    allowed = {ROOT / "core" / "phones.py", ROOT / "telephony" / "region_prefixes.py"}
    calls = ("phonenumbers.parse", "phonenumbers.format_number", "import phonenumbers\n", "PhoneNumberFormat")
    offenders = [
        f"{path.relative_to(ROOT)}: {call.strip()}"
        for path in source_files(".py")
        if path not in allowed and "migrations" not in path.parts
        for call in calls
        if call in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_stored_digit_forms_cover_how_a_home_number_is_written() -> None:
    assert phones.stored_digit_forms("+905321234567") == {
        "905321234567", "00905321234567", "05321234567", "5321234567",
    }  # fmt: skip


def test_stored_digit_forms_of_a_foreign_number_are_international_only() -> None:
    assert phones.stored_digit_forms("+4930123456") == {"4930123456", "004930123456"}


def test_a_masked_number_keeps_its_country_and_area_and_last_two_digits() -> None:
    assert phones.masked("+905321234567") == "+90 532 *** ** 67"
    assert "4567" not in phones.masked("+905321234567")
