"""The period select says what applies, and a call's page title says which call it is."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
_SELECTED = re.compile(r'<option value="([^"]+)"[^>]*\bselected\b')


def _selected_period(html: str) -> str:
    select = html.split('name="preset"')[1].split("</select>")[0]
    return _SELECTED.findall(select)[0]


@pytest.mark.parametrize("preset", ["30d", "7d", "all"])
def test_custom_dates_show_as_custom_whatever_the_select_said(alice_client, team_a, preset) -> None:
    call = CallRecordFactory(account=ProviderAccountFactory(team=team_a), start=datetime(2026, 3, 2, 9, tzinfo=UTC))
    response = alice_client.get(
        reverse("calls-list"), {"preset": preset, "date_from": "2026-03-02", "date_to": "2026-03-02"}
    )
    assert [row.pk for row in response.context["page"].rows] == [call.pk]  # the dates apply…
    assert _selected_period(response.content.decode()) == "custom"  # …and the select says so


def test_a_named_period_stays_selected_without_dates(alice_client) -> None:
    assert _selected_period(alice_client.get(reverse("calls-list"), {"preset": "7d"}).content.decode()) == "7d"
    assert _selected_period(alice_client.get(reverse("calls-list")).content.decode()) == "30d"


def test_the_call_page_title_names_the_numbers_and_the_time(alice_client, team_a) -> None:
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team_a), caller="+905321234567", callee="101",
        start=datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
    )  # fmt: skip
    html = alice_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "0532 123 45 67" in title and "101" in title
    assert date_format(call.start.astimezone(ISTANBUL), "SHORT_DATETIME_FORMAT") in title  # in the team's zone
    assert "01:30" in title
