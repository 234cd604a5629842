"""Country names in the reader's language.

Providers name countries in English capitals ("TURKEY"); a Turkish reader sees
"Türkiye", a German one "Deutschland". Names and their translations come from
ISO 3166 (pycountry); phonenumbers' English names place the provider spellings
ISO does not use ("TURKEY", "RUSSIA").
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language
from phonenumbers import carrier, geocoder
from phonenumbers.geodata.locale import LOCALE_DATA

from core import phones

ALIASES = {"uk": "GB", "great britain": "GB", "turkiye": "TR"}


def _english_name(region: str) -> str:
    names = LOCALE_DATA.get(region, {})
    name = names.get("en", "")
    return names.get(name[1:], "") if name.startswith("*") else name


@lru_cache(maxsize=1)
def _regions_by_english_name() -> dict[str, str]:
    by_name = {_english_name(region).casefold(): region for region in LOCALE_DATA}
    by_name.pop("", None)
    return {**by_name, **ALIASES}


def region_of(country: str = "", number: str = "") -> str:
    """The region code a provider's country text names, else the region of an E.164 ``number``; "" if neither."""
    text = country.strip()
    if text:
        region = _regions_by_english_name().get(text.casefold())
        if region:
            return region
        try:
            return str(pycountry.countries.lookup(text).alpha_2)
        except LookupError:
            pass
    return phones.region_of(number)


@lru_cache(maxsize=16)
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def region_name(region: str, language: str) -> str:
    """The name of ``region`` in ``language`` ("tr", "en"…); English where ISO has no translation."""
    entry = pycountry.countries.get(alpha_2=region)
    if entry is None:
        return _english_name(region)
    name = getattr(entry, "common_name", None) or entry.name
    return _translations(language).gettext(name)


def country_name(country: str = "", number: str = "", *, language: str | None = None) -> str:
    """The country in ``language`` (by default the active one); a text we cannot place is shown as the provider
    wrote it, not shouted."""
    region = region_of(country, number)
    if region:
        return region_name(region, language or reader_language())
    return _unshouted(country)


def reader_language() -> str:
    """The active language as ISO names it ("tr" for "tr-tr")."""
    return (get_language() or "en").split("-")[0]


def _unshouted(text: str) -> str:
    return text.title() if text.isupper() else text


def destination_name(number: str = "", description: str = "") -> str:
    """Where a call goes, in the active language: the mobile operator, else the area of a fixed line, else
    the provider's own description (an English tariff name such as "TURKEY - ISTANBUL EUROPE")."""
    parsed = phones.parsed_e164(number)
    if parsed is not None:
        language = reader_language()
        operator = carrier.name_for_number(parsed, language)
        if operator:
            return str(operator)
        region = phones.region_of(number)
        place = geocoder.description_for_number(parsed, language, region=region)
        if place and place != region_name(region, language):
            return str(place)
    return _unshouted(description)
