"""PBX call records keep the exact time of the call; the PBX's zone is a Pasifik account option (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts.provider_clients import client_for
from telephony import services
from telephony.models import CallRecord, Source

pytestmark = pytest.mark.django_db
ISTANBUL = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def account(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def test_imported_pbx_calls_start_at_their_uniqueid_instant_not_two_hours_later(account, sandbox) -> None:
    services.pbx_cdr_import(account=account, now=sandbox.clock.now())

    calls = CallRecord.objects.filter(source=Source.PBX)
    assert calls.count() > 100
    for call in calls:
        assert call.start == datetime.fromtimestamp(int(call.provider_id.split(".")[0]), UTC)
        assert call.start.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S") == call.raw["calldate"]


def test_a_late_evening_recording_is_fetched_by_the_pbxs_day(account, sandbox) -> None:
    services.pbx_cdr_import(account=account, now=sandbox.clock.now())
    evening = [
        call
        for call in CallRecord.objects.filter(source=Source.PBX, has_recording=True)
        if call.start.astimezone(ISTANBUL).date() != call.start.date()
    ]
    assert evening

    call = services.recording_fetch(call=evening[0])

    assert call.recording.name
    asked = sandbox.requests_for("pasifik", "pbx/cdr/wav")[-1].json()["calldate"]
    assert asked == call.raw["calldate"][:10]


def test_the_pbx_zone_option_reaches_the_client(account) -> None:
    assert client_for(account).pbx_zone == ISTANBUL  # the default
    account.options = {**account.options, "pbx_zone": "Europe/Berlin"}

    assert client_for(account).pbx_zone == ZoneInfo("Europe/Berlin")


def pasifik_form(**options: str) -> dict[str, str]:
    return {
        "label": "Pasifik main",
        "cred_username": "office",
        "cred_password": "secret-pass",
        "opt_language": "tr",
        "opt_auth_scheme": "bare",
        "is_active": "on",
        **{f"opt_{name}": value for name, value in options.items()},
    }


def test_the_pbx_zone_is_an_account_option_defaulting_to_istanbul(alice_client: Client) -> None:
    form = alice_client.get(reverse("provider-create", args=["pasifik"])).context["form"]

    assert form["opt_pbx_zone"].value() == "Europe/Istanbul"


def test_a_pbx_zone_that_is_no_time_zone_is_a_form_error_keeping_what_was_typed(alice_client: Client, team_a) -> None:
    response = alice_client.post(reverse("provider-create", args=["pasifik"]), pasifik_form(pbx_zone="GMT+3 Istanbul"))

    assert response.status_code == 400
    assert response.context["form"].errors["opt_pbx_zone"] == [
        "“GMT+3 Istanbul” is not a time zone name like Europe/Istanbul."
    ]
    assert 'value="GMT+3 Istanbul"' in response.content.decode()
    assert not team_a.provider_accounts.filter(label="Pasifik main").exists()


def test_a_valid_pbx_zone_is_stored(alice_client: Client, team_a) -> None:
    response = alice_client.post(reverse("provider-create", args=["pasifik"]), pasifik_form(pbx_zone="Europe/Berlin"))

    assert response.status_code == 302
    assert team_a.provider_accounts.get(label="Pasifik main").options["pbx_zone"] == "Europe/Berlin"
