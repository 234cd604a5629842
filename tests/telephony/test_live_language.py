"""Live calls and PBX pages in the reader's language: provider state codes and country names are translated."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from sandbox.pasifik import LIVE_SLOT_SECONDS
from telephony.countries import country_name, destination_name
from telephony.status import CALL_STATE_TEXT, CHANNEL_STATE_TEXT

pytestmark = pytest.mark.django_db

_STATE = re.compile(r'data-state="([^"]+)"[^>]*>([^<]+)<')
_COUNTRY = re.compile(r'data-testid="live-country">([^<]*)<')


@pytest.fixture
def turkish_client(alice_client, team_a, sandbox_account):
    sandbox_account(team_a, "pasifik")
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    return alice_client


def _page_with(client, sandbox, url: str, pattern: re.Pattern[str]) -> str:
    """Steps the sandbox clock until the page shows what ``pattern`` finds."""
    for _ in range(60):
        html = client.get(url, {"fragment": "1"}).content.decode()
        if pattern.search(html):
            return html
        sandbox.clock.advance(LIVE_SLOT_SECONDS / 3)
    raise AssertionError(f"nothing matching {pattern.pattern} came up on {url}")


def test_live_call_states_and_countries_are_in_turkish(turkish_client, sandbox) -> None:
    html = _page_with(turkish_client, sandbox, reverse("calls-live"), _COUNTRY)
    states = _STATE.findall(html)
    assert states
    with translation.override("tr"):
        for code, shown in states:
            table = CALL_STATE_TEXT if code in CALL_STATE_TEXT and shown == str(CALL_STATE_TEXT[code]) else None
            table = table or CHANNEL_STATE_TEXT
            assert code in table, f"no Turkish text for the provider state {code!r}"
            assert shown == str(table[code]) and shown != code
    assert set(_COUNTRY.findall(html)) == {"Türkiye"}  # the provider says "TURKEY"
    assert "TURKEY" not in html  # nor "TURKEY - MOBILE TURKCELL": the operator or area, from the number


def test_pbx_channel_states_are_in_turkish(turkish_client, sandbox) -> None:
    html = _page_with(turkish_client, sandbox, reverse("pbx"), _STATE)
    with translation.override("tr"):
        shown = {code: text.strip() for code, text in _STATE.findall(html)}
        assert shown and all(text == str(CHANNEL_STATE_TEXT[code]) for code, text in shown.items())
    assert not {"Up", "Ringing", "Ring", "Down"} & set(shown.values())


@pytest.mark.parametrize(
    ("language", "country", "number", "expected"),
    [
        ("tr", "TURKEY", "", "Türkiye"),
        ("en", "TURKEY", "", "Türkiye"),
        ("en", "RUSSIA", "", "Russian Federation"),
        ("tr", "GERMANY", "", "Almanya"),
        ("de", "GERMANY", "", "Deutschland"),
        ("tr", "", "+4930123456", "Almanya"),
        ("tr", "", "101", ""),
        ("tr", "ATLANTIS", "", "Atlantis"),
    ],
)
def test_country_names_follow_the_reader(language, country, number, expected) -> None:
    with translation.override(language):
        assert country_name(country, number) == expected


@pytest.mark.parametrize(
    ("language", "number", "description", "expected"),
    [
        ("tr", "+905321234567", "TURKEY - MOBILE TURKCELL", "Turkcell"),
        ("tr", "+902121234567", "TURKEY - ISTANBUL EUROPE", "Istanbul (Avrupa)"),
        ("en", "+902121234567", "TURKEY - ISTANBUL EUROPE", "Istanbul (Europe)"),
        ("tr", "+908505320100", "PASIFIK TELEKOM", "Pasifik Telekom"),
        ("tr", "812", "PASIFIK TELEKOM", "Pasifik Telekom"),
    ],
)
def test_the_destination_is_the_operator_or_area_in_the_readers_language(
    language, number, description, expected
) -> None:
    with translation.override(language):
        assert destination_name(number, description) == expected
