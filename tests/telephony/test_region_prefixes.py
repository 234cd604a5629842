"""The +1, +7 and +44 prefixes the calls export names countries from in SQL (telephony/region_prefixes.py) give
the region phonenumbers gives, for every number they answer."""

from __future__ import annotations

import json
import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from core import phones
from telephony import region_prefixes


def _example_numbers(code: int) -> list[str]:
    """phonenumbers' own example of every type of every region of ``code``: 178 numbers for +1, +7 and +44."""
    found = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]:
        for kind in vars(PhoneNumberType).values():
            example = phonenumbers.example_number_for_type(region, kind) if isinstance(kind, int) else None
            if example is not None:
                found.append(phonenumbers.format_number(example, PhoneNumberFormat.E164))
    return sorted(set(found))


def _random_numbers(code: int, count: int) -> list[str]:
    """``count`` numbers of every stored length (and one digit shorter and longer), their digits drawn at random
    (fixed seed), and as many again that start like the examples and end at random."""
    draw = random.Random(code)
    numbers = []
    for length in region_prefixes.lengths(code):
        for size in (length - 1, length, length + 1):
            numbers += [f"+{code}" + "".join(draw.choices("0123456789", k=size)) for _ in range(count)]
    for example in _example_numbers(code):
        keep = len(str(code)) + 1 + draw.randint(1, 6)
        numbers += [example[:keep] + "".join(draw.choices("0123456789", k=len(example) - keep)) for _ in range(20)]
    return numbers


def test_the_stored_prefixes_are_what_the_installed_phonenumbers_gives() -> None:
    """After upgrading phonenumbers: ``manage.py region_prefixes`` writes them again."""
    assert json.loads(region_prefixes.DATA.read_text(encoding="utf-8")) == region_prefixes.derived()


def test_every_example_number_the_table_answers_gets_phonenumbers_region() -> None:
    numbers = [n for code in region_prefixes.CODES for n in _example_numbers(code)]
    answered = {n: region for n in numbers if (region := region_prefixes.region_of(n)) is not None}
    assert answered == {n: phones.region_of(n) for n in answered}
    # Not an empty proof: the export names these in SQL (169 of 178; +7 8…, which Russia's "8" could be read as
    # a national prefix, and some deeper +1 and +44 prefixes stay with phonenumbers).
    assert len(answered) >= 0.9 * len(numbers)


@pytest.mark.parametrize("code", region_prefixes.CODES)
def test_random_numbers_the_table_answers_get_phonenumbers_region(code) -> None:
    numbers = _random_numbers(code, 1000)
    answered = {n: region for n in numbers if (region := region_prefixes.region_of(n)) is not None}
    assert answered == {n: phones.region_of(n) for n in answered}
    assert {region for region in answered.values() if region}  # some named, and some "no region" below
    assert "" in answered.values() or code == 7


def test_the_rows_of_the_table_are_phonenumbers_answers() -> None:
    """The rows the export joins (prefix, length), one in seven (36,000 in all), read back as whole numbers
    ending in zeros and in nines."""
    for prefix, length, region in list(region_prefixes.rows())[::7]:
        for filler in "09":
            number = "+" + prefix + filler * (length - 1 - len(prefix))
            assert region_prefixes.region_of(number) == region == phones.region_of(number), number


def test_a_number_the_table_cannot_settle_has_no_answer() -> None:
    assert region_prefixes.region_of("+442012345678") == "GB"
    assert region_prefixes.region_of("+4401234567890") is None  # "0": phonenumbers may strip it while parsing
    assert region_prefixes.region_of("+1212555123") is None  # a length the table does not hold
    assert region_prefixes.region_of("+1212 5551234") is None
    assert region_prefixes.region_of("+905321234567") is None  # not one of the codes


def test_prefixes_from_another_phonenumbers_version_are_not_used(tmp_path, monkeypatch) -> None:
    stored = json.loads(region_prefixes.DATA.read_text(encoding="utf-8"))
    stale = tmp_path / "region_prefixes.json"
    stale.write_text(json.dumps({**stored, "phonenumbers": "0.0.1"}), encoding="utf-8")
    monkeypatch.setattr(region_prefixes, "DATA", stale)
    region_prefixes._stored.cache_clear()
    try:
        assert list(region_prefixes.rows()) == [] and region_prefixes.region_of("+442012345678") is None
    finally:
        region_prefixes._stored.cache_clear()
