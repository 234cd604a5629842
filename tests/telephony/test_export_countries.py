"""The calls export names the country as the calls pages do, in the reader's language (not the provider's capitals)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

COUNTRY = 11  # the Country column


@pytest.fixture
def calls(team_a):
    account = ProviderAccountFactory(team=team_a)
    start = timezone.now()
    return {
        name: CallRecordFactory(account=account, start=start - timedelta(minutes=n), country=country, callee=callee)
        for n, (name, country, callee) in enumerate(
            [
                ("russia", "RUSSIA", "+74951234567"),
                ("germany", "", "+493012345678"),  # no country text: placed by the number, as the list does
                ("unknown", "ATLANTIS SATELLITE", "101"),
            ]
        )
    }


def _countries(client, calls) -> dict[str, str]:
    response = client.get(reverse("calls-export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))[1:]
    by_id = {row[0]: row[COUNTRY] for row in rows}
    return {name: by_id[str(call.pk)] for name, call in calls.items()}


def test_the_export_names_countries_in_english_for_an_english_reader(alice_client, calls) -> None:
    assert _countries(alice_client, calls) == {
        "russia": "Russian Federation",
        "germany": "Germany",
        "unknown": "Atlantis Satellite",
    }


def test_the_export_names_countries_in_turkish_for_a_turkish_reader(alice_client, calls) -> None:
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    countries = _countries(alice_client, calls)

    assert countries == {"russia": "Rusya Federasyonu", "germany": "Almanya", "unknown": "Atlantis Satellite"}
    for name, call in calls.items():  # the same names as the call's page
        page = alice_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
        assert f'<dd class="col-sm-9">{countries[name]}</dd>' in page
